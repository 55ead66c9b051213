// Submit a form when one of its <select data-autosubmit> changes (the admin's language switch).
// A file, not an inline handler, so the Content-Security-Policy allows no inline script.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) {
    event.target.form.submit();
  }
});
