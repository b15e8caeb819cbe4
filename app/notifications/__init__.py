"""In-app notifications (the bell in the header) and notification emails.

Other domains register the kinds of notification they send with
`services.register_kind` and call `services.notify`; the message is stored as
a kind plus parameters and rendered when it is read, in the reader's language.
"""
