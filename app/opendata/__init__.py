"""Open data: downloadable datasets (CSV and JSON with a Frictionless data package and GD Catalog
metadata), publishing them to a CKAN catalog, and the public statistics pages.

Everything here is public by construction: the rows are read through the same visibility rules as
the HTML pages an anonymous reader sees (app.permissions.visible_ideas_clause(None), proposals that
are not drafts, results only once published), and no column names a person.
"""
