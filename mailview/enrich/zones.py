"""The DNS blocklists asked by default when look-ups are on.

Apart from the pipeline so that the command line can name them in its help without
loading the resolver.
"""

# Widely used public blocklists that answer DNS queries; the user's own list replaces them.
DEFAULT_DNSBL_ZONES = ("zen.spamhaus.org", "bl.spamcop.net")
