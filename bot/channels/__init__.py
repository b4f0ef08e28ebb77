"""Custom Rasa input channels: REST that is never silent, the website widget, and SMS.

The Rasa server imports this package for every channel in credentials.yml, which
makes it the place to install our one measured fix to Rasa internals.
"""

from bot import rasa_patches

rasa_patches.install()
