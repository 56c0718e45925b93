from django import forms


class MarkReadForm(forms.Form):
    """Mark every notification read (no fields: the button is the whole request)."""
