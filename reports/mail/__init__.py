"""Email: who gets what (``recipients``), one exactly-once row per message (``deliveries``), what each
message says (``messages``, ``comments``, ``samples``), how it is rendered and encoded (``compose``,
``links``), and the mailings that tie them together for tasks and commands (``mailings``)."""
