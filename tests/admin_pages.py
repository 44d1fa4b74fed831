"""What a browser would post from an admin page: the values of a form as the page shows them."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option_value: str | None = None
        self._option_text = ""
        self._option_selected = False
        self._textarea: str | None = None
        self._textarea_text = ""

    def _add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self._add(name, attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select:
            self._option_value = attrs.get("value")
            self._option_text = ""
            self._option_selected = "selected" in attrs
        elif tag == "textarea" and name:
            self._textarea, self._textarea_text = name, ""

    def _end_option(self) -> None:
        value = self._option_value if self._option_value is not None else self._option_text
        if self._select_first is None:
            self._select_first = value
        if self._option_selected and not self._select_chosen:
            self._add(self._select, value)
            self._select_chosen = True
        self._option_value = None

    def handle_endtag(self, tag):
        if not self.in_form:
            return
        if tag == "form":
            self.in_form = False
        elif tag == "option" and self._select and self._option_value is not None:
            self._end_option()
        elif tag == "select" and self._select:
            if self._option_value is not None:
                self._end_option()
            if not self._select_chosen and self._select_first is not None:
                self._add(self._select, self._select_first)  # a browser sends the first option
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the newline that follows <textarea>.
            self._add(self._textarea, self._textarea_text.removeprefix("\n"))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._textarea_text += data
        elif self._select and self._option_value is not None:
            self._option_text += data


def form_values(html: str, form_id: str) -> dict[str, str | list[str]]:
    """The fields of `<form id=form_id>` as a browser would send them unchanged."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return {
        name: values[0] if len(values) == 1 else values for name, values in reader.values.items()
    }
