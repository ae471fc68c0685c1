"""The recorded tier: discovery, planning and module tests on Postfix output recorded from the real images
(tests/recorded/fixtures, made by ``make record``); tests/integration/test_recordings_current.py proves them current."""
