"""The programmes' API: serializers.py (the shape), views.py (the endpoints)."""
