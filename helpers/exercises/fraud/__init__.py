"""Practice exercises of course 02 (mobile ad fraud): one module per lesson."""
