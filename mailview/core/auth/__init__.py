"""Who vouches for the message: SPF, DKIM, DMARC and ARC, read, believed or not, checked.

`analysis.analyze_auth` is the entry point; the modules beside it each own one part:
`results` reads the statements, `trust` decides which to believe, `dkim`/`arc` check
signatures offline, `alignment` computes DMARC alignment, `addresses` checks addresses.
"""
