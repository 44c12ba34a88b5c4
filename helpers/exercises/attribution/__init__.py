"""Practice exercises of course 01-attribution: one module ``lesson_N_M`` per lesson.

Each module defines ``q1 … qN`` and ``EXERCISES``; their texts live in
``helpers/locale/templates/attribution_lesson_N_M.pot``. Expected values are computed lazily with
``helpers`` on the committed seeded data (nothing happens at import time).
"""
