"""Session-wide test settings (the fixtures live in tests/conftest.py)."""


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "destructive: removes every lab image (cleanup tests); run after the rest")


def pytest_collection_modifyitems(session, config, items):
    # Cleanup tests remove all the lab's images; running them last keeps the build cache warm
    # for every other test and notebook.
    items.sort(key=lambda item: item.get_closest_marker("destructive") is not None)
