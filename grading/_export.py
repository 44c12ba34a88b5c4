"""Runs inside the learner's sandboxed kernel, in place of a test cell: hands the answers the
test cell needs to the grader as plain data (``grading/plaindata.py``) in a display output.

Called as ``runpy.run_path(this file, init_globals={"NS": globals(), "GID": ..., "NAMES": [...]})``.
Whatever the learner did to this kernel, the result is only ever data that the trusted test runner
decodes into fresh values; it cannot execute anything on the grader's side.
"""

import json
import os
import sys

sys.path.insert(0, os.environ.get("MMA_INNER_DIR", "/opt/mma"))
from plaindata import encode  # noqa: E402

_out = {"grade_id": GID, "values": {}, "missing": []}  # noqa: F821
for _name in NAMES:  # noqa: F821
    if _name in NS:  # noqa: F821
        try:
            _out["values"][_name] = encode(NS[_name])  # noqa: F821
        except BaseException as _exc:  # noqa: B036 -- a hostile object must not stop the export
            _out["values"][_name] = {"$unsupported": f"value that could not be read ({type(_exc).__name__})"}
    else:
        _out["missing"].append(_name)

from IPython.display import publish_display_data  # noqa: E402

publish_display_data({"text/x-mma-answers": json.dumps(_out, allow_nan=True)})
