"""Practice exercises of course 04 (SKAdNetwork): one module per lesson."""
