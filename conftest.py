"""Make the collection importable as ansible_collections.mailops.nbdb for unit tests."""
import os
import sys

_collections = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), ".build", "collections")
if _collections not in sys.path:
    sys.path.insert(0, _collections)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
