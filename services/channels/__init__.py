"""The channels service: a group's Telegram, WhatsApp, SMS and e-mail channels, the messages sent
through them for every delivery, and the replies that come back."""
