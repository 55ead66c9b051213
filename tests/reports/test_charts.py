from reports.charts import line_chart, sparkline


def test_sparkline_draws_gaps_and_marks_the_last_point():
    svg = sparkline([10, None, 30, 40], low=0, high=100, title="POS <acquiring>")
    assert svg.startswith("<svg") and svg.count("<polyline") == 2  # the missing week breaks the line
    assert "<circle" in svg
    assert "&lt;acquiring&gt;" in svg and "<acquiring>" not in svg


def test_nothing_to_draw_gives_nothing():
    assert sparkline([None, None]) == ""
    assert line_chart([("2023-W52", None)]) == ""


def test_line_chart_labels_first_and_last_week():
    svg = line_chart([("2023-W38", 20.0), ("2023-W45", 50.0), ("2023-W53", 65.5)], title="O2")
    assert "2023-W38" in svg and "2023-W53" in svg and "100%" in svg
