"""Static files of the web chat widget (widget.js, the demo page)."""
