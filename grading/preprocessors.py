"""nbgrader preprocessors used by the course's grading configuration.

``StderrToStdout``
    Runs in ``Autograde.autograde_preprocessors`` after ``Execute`` and before ``SaveAutoGrades``.
    Stock nbgrader scores a grade cell 0 as soon as it has *any* stderr output, so a harmless
    ``FutureWarning`` or pandas' ``ChainedAssignmentError`` warning would cost a learner the points
    of a test cell they actually pass. This turns the ``stderr`` stream outputs of grade cells into
    ``stdout`` ones (the text stays visible in the autograded notebook and the feedback). Outputs of
    type ``error`` (an exception, a failed ``assert``) are left untouched and still score 0.

``ScrubHiddenTestTracebacks``
    Runs in ``GenerateFeedback.preprocessors`` before ``ClearHiddenTests``. ``ClearHiddenTests``
    removes the hidden-test region from the cell *source*, but when a hidden assertion fails the
    traceback in the cell *output* quotes the failing line. For cells that contain hidden tests
    this replaces each traceback with its last line (``AssertionError: <message>``), so learners
    see the friendly assertion message and nothing else.
"""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade
from traitlets import Unicode

__all__ = ["StderrToStdout", "ScrubHiddenTestTracebacks"]


class StderrToStdout(NbGraderPreprocessor):
    """Move stderr stream outputs of grade cells to stdout (no penalty for warnings)."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, cell_index: int):
        if cell.cell_type != "code" or not is_grade(cell):
            return cell, resources
        moved = 0
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                output["name"] = "stdout"
                moved += 1
        if moved:
            self.log.info(
                "Cell %s wrote to stderr (%d output(s)); kept as stdout, not penalised",
                cell.metadata["nbgrader"].get("grade_id", cell_index), moved,
            )
        return cell, resources


class ScrubHiddenTestTracebacks(NbGraderPreprocessor):
    """Reduce tracebacks of cells with hidden tests to ``ename: evalue``."""

    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS", help="Same marker as ClearHiddenTests").tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, cell_index: int):
        if cell.cell_type != "code" or self.begin_test_delimeter not in cell.source:
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                ename, evalue = output.get("ename", "Error"), output.get("evalue", "")
                output["traceback"] = [f"{ename}: {evalue}" if evalue else ename]
        return cell, resources
