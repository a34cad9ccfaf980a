"""PyYAML's safe loader in C (libyaml) when the installed PyYAML has it, else in Python.

Banks are parsed node by node (``yaml.compose``) so every problem gets its line; with the
pure-Python parser a 1,000-entry bank took 1.5 s of a 6 s server start, with libyaml 0.2 s.
Both give the same nodes and the same line marks.
"""

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
