"""One function per use case: with a unit of work -> load -> core -> append -> commit -> publish."""
