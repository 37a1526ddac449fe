"""The PDF's tables, set as `briefer.export.layout.plan_table` plans them
(as they are, their text shrunk, or split into several tables for width,
as the DOCX does): in Briefer's own look (a light grid, the header row
shaded) or, with a Word base, in its table style as Word applies it (its
borders edge by edge, its header row's and bands' shading, its padding).

`Tables` is a part of the PDF renderer (`briefer.export.pdf._Renderer`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.platypus import Flowable, Spacer, TableStyle
from reportlab.platypus import Table as RLTable

from briefer.document import Span, Table, plain_text
from briefer.export.layout import (
    CELL_PADDING_V,
    TABLE_HEAD_FILL,
    TABLE_RULE,
    TABLE_RULE_WIDTH,
    Kind,
    TablePart,
    TablePlan,
    plan_table,
)
from briefer.export.pdf_flowables import Indented

if TYPE_CHECKING:  # a Word base's, loaded only with one (frozen dataclasses cost time)
    from briefer.house_style import Rule, TableLook


class Tables:
    """The brief's tables, in Briefer's look or the Word base's table style."""

    def _table(self, block: Table, indent: float) -> list[Flowable]:
        """The table as `plan_table` sets it: as it is, its text shrunk,
        or split into several tables for width (as the DOCX does)."""
        rows = ([block.header] if block.header else []) + list(block.rows)
        ncols = max((len(r) for r in rows), default=0)
        if ncols == 0:
            return [Spacer(1, 1)]
        texts = [[plain_text(cell) for cell in row] for row in rows]
        cell = self.metrics[Kind.TABLE_CELL]
        plan = plan_table(texts, self.frame_w - indent, cell)
        size = plan.size if plan.size < cell.size else None
        return [self._table_part(block, rows, part, plan, size, indent) for part in plan.parts]

    def _table_part(
        self,
        block: Table,
        rows: list[tuple[tuple[Span, ...], ...]],
        part: TablePart,
        plan: TablePlan,
        size: float | None,
        indent: float,
    ) -> Flowable:
        data = []
        for r, row in enumerate(rows):
            cells = []
            for c in part.columns:
                spans = row[c] if c < len(row) else ()
                align = block.align[c] if c < len(block.align) else ""
                kind = Kind.TABLE_HEAD if (r == 0 and block.header) else Kind.TABLE_CELL
                cells.append(self._para(spans, kind, 0.0, align=align, size=size))
            data.append(cells)
        table = RLTable(
            data,
            colWidths=list(part.widths),
            repeatRows=1 if block.header else 0,
            splitInRow=1,
            hAlign="LEFT",
        )
        if self.table_look is not None:
            commands = self._house_table(self.table_look, len(data), len(part.columns), block, plan)
        else:
            commands = self._briefer_table(block, plan)
        table.setStyle(TableStyle(commands))
        # The same gap after a table as after a paragraph (a table followed
        # by an image or a quote otherwise touches it).
        flowable: Flowable = Indented(table, indent) if indent else table
        flowable.spaceAfter = self.size * 0.6
        return flowable

    def _briefer_table(self, block: Table, plan: TablePlan) -> list[tuple[Any, ...]]:
        """A table in Briefer's own look: a light grid, the header row shaded."""
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), self.body.regular, plan.size),
            ("GRID", (0, 0), (-1, -1), TABLE_RULE_WIDTH, colors.HexColor("#" + TABLE_RULE)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), plan.padding),
            ("RIGHTPADDING", (0, 0), (-1, -1), plan.padding),
            ("TOPPADDING", (0, 0), (-1, -1), CELL_PADDING_V),
            ("TOPPADDING", (0, 0), (-1, 0), CELL_PADDING_V + TABLE_RULE_WIDTH),
            # Word and LibreOffice add the rules above and between rows to
            # the rows' height; so does the PDF, to keep the same rows on a
            # page.
            ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PADDING_V + TABLE_RULE_WIDTH),
        ]
        if block.header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#" + TABLE_HEAD_FILL)))
        return commands

    def _house_table(
        self, look: TableLook, rows: int, columns: int, block: Table, plan: TablePlan
    ) -> list[tuple[Any, ...]]:
        """A table in the Word base's table style, as Word applies it to the
        DOCX's table (`house_style.TableLook`): its borders edge by edge,
        its header row's and bands' shading, its cells' padding (left and
        right the plan's when the table's text is shrunk, as the DOCX
        sets them then). Word counts a horizontal border in the height of
        the row above it; so does the PDF, to keep the same rows on a page."""
        header = bool(block.header)
        top, right, bottom, left = look.padding
        if plan.size < self.metrics[Kind.TABLE_CELL].size:
            left = right = plan.padding
        commands: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), self.body.regular, plan.size),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), left),
            ("RIGHTPADDING", (0, 0), (-1, -1), right),
            ("TOPPADDING", (0, 0), (-1, -1), top),
        ]
        edges = [
            look.horizontal(e - 1 if e else None, e if e < rows else None, header)
            for e in range(rows + 1)
        ]
        if edges[0] is not None and edges[0].shows:
            commands.append(("TOPPADDING", (0, 0), (-1, 0), top + edges[0].extent))
        for row in range(rows):
            below = edges[row + 1]
            extra = below.extent if below is not None and below.shows else 0.0
            commands.append(("BOTTOMPADDING", (0, row), (-1, row), bottom + extra))
            fill = look.fill(row, header)
            if fill is not None:
                commands.append(("BACKGROUND", (0, row), (-1, row), colors.HexColor(fill)))
        for e, rule in enumerate(edges):
            if rule is not None and rule.shows:
                row, op = (e, "LINEABOVE") if e < rows else (rows - 1, "LINEBELOW")
                commands.append(_line(op, (0, row), (-1, row), rule))
        for column in range(columns + 1):
            op, col = ("LINEBEFORE", column) if column < columns else ("LINEAFTER", columns - 1)
            run_start, run_rule = 0, look.vertical(0, column, columns, header)
            for row in range(1, rows + 1):
                rule = look.vertical(row, column, columns, header) if row < rows else None
                if row < rows and rule == run_rule:
                    continue
                if run_rule is not None and run_rule.shows:
                    commands.append(_line(op, (col, run_start), (col, row - 1), run_rule))
                run_start, run_rule = row, rule
        return commands


def _line(op: str, start: tuple[int, int], stop: tuple[int, int], rule: Rule) -> tuple[Any, ...]:
    """A reportlab table line command drawing `rule`: a double rule as two
    lines its width apart, dotted and dashed ones with their pattern."""
    from briefer.house_style import RuleKind  # loaded already: there is a Word base

    unit = max(rule.width_pt, 0.5)
    dash = None
    if rule.kind is RuleKind.DOTTED:
        dash = (unit, unit * 2)
    elif rule.kind is RuleKind.DASHED:
        dash = (unit * 4, unit * 2)
    count = 2 if rule.kind is RuleKind.DOUBLE else 1
    colour = colors.HexColor(rule.color)
    return (op, start, stop, rule.width_pt, colour, None, dash, None, count, rule.width_pt)
