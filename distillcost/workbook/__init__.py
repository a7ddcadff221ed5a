"""Live workbooks (.xlsx): the cost model as spreadsheet formulas a user can edit.

* :mod:`~distillcost.workbook.expr` — formulas that carry their value;
* :mod:`~distillcost.workbook.costmodel` — the estimator's stages as formulas (the one place);
* :mod:`~distillcost.workbook.points` — base, low, high and sensitivity evaluations;
* :mod:`~distillcost.workbook.book` — placing them on sheets (XlsxWriter);
* :mod:`~distillcost.workbook.campaign` — estimate; :mod:`~distillcost.workbook.many` —
  compare, history and sweep (one formula row per teacher, date or grid point);
* :mod:`~distillcost.workbook.tables` — any result table as typed cells;
  :mod:`~distillcost.workbook.pricesheet` — ``prices list -f xlsx``.
"""
