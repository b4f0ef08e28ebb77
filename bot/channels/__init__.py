"""Custom Rasa input channels: the website widget and SMS."""
