"""Reading a corpus from disk: seeds, registries, facts, rule files, acknowledgements.

The loader owns files and line numbers; the parsers it calls (period, quantity, expression)
take strings. Every problem is a located ``input`` Result, collected, never raised.
"""

from factledger.load.corpus import Corpus, Ignore, load_corpus, split_front_matter

__all__ = ["Corpus", "Ignore", "load_corpus", "split_front_matter"]
