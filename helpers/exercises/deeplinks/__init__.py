"""Practice exercises of course 03 (deep links): one module per lesson."""
