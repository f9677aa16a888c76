"""The charts' words (axis titles, legend entries, tooltips) in a reader's language."""

from collections.abc import Callable

from api.charts.rows import ChartText


def translated_chart_text(_: Callable[[str], str]) -> ChartText:
    """The charts' words in the language of ``_`` (a request's gettext)."""
    return ChartText(
        dimension=_("Dimension"),
        item=_("Item"),
        name=_("Name"),
        expectation=_("Expectation"),
        perception=_("Perception"),
        gap=_("Gap"),
        score=_("Mean score"),
        minimum=_("Minimum"),
        desired=_("Desired"),
        tolerance_zone=_("Zone of tolerance"),
        importance=_("Importance"),
        performance=_("Performance"),
        quadrant=_("Quadrant"),
        index=_("Satisfaction index"),
        period=_("Period"),
        centre_line=_("Centre line"),
        upper_limit=_("Upper control limit"),
        lower_limit=_("Lower control limit"),
        signal=_("Signal"),
        no_signal=_("No signal"),
        not_judged=_("Not judged yet (too few answers so far)"),
        answers=_("Respondents"),
        ci_low=_("95% CI low"),
        ci_high=_("95% CI high"),
        too_few=_("Too few answers"),
        top=_("top 3"),
        bottom=_("bottom 3"),
        ranked=_("Ranked"),
    )
