"""Personal data (PDPA): the privacy notice, consents, the data download, account deletion, retention.

`registry` is the one declaration of what personal data the site processes;
the notice's purposes table, the administrators' record of processing
activities, the data download and the retention rules are all read from it.
"""
