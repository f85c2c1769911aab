"""shequ-kit: community ledgers (台账) to indicators and annual work summaries."""

__version__ = "0.1.0"


def _chinese_charts() -> None:
    """An analyst's own matplotlib chart in a notebook must draw 中文, not boxes: importing
    the package (any helper a notebook imports) names the Simplified Chinese face in
    matplotlib's settings. No such face installed is a warning here; the export and the
    kit's own charts refuse it with their own message."""
    import warnings

    try:
        from .fonts import FontNotFoundError, chinese_font, use_in_matplotlib
    except ImportError:  # matplotlib absent: nothing draws charts
        return
    try:
        use_in_matplotlib()
    except FontNotFoundError as exc:
        warnings.warn(str(exc), stacklevel=2)
    finally:  # the choice is made again where it matters (charts, checks), not frozen here
        chinese_font.cache_clear()


_chinese_charts()
