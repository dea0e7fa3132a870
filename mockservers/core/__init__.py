"""The vendor-neutral core: store, blobs, clock, scheduler, callbacks, journal, faults, fake data, validation."""
