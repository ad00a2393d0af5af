"""Reading office exports (.xlsx/.csv/.json) into anonymised public case records.
May import records and privacy."""
