"""The website: browsing pages (``browse``) and chart pages (``chart_pages``)."""
