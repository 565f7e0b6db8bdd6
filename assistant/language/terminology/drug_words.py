"""What a drug's name says about it: a plural names a group of drugs, a salt or cation adds
nothing a clinician asks about, and some MeSH chemical trees hold no medicines."""

from __future__ import annotations


def plural(name: str) -> bool:
    """Whether a drug's name is a plural ("biguanides", "benzodiazepines"): the name of a
    group of drugs, not of one drug."""
    last = name.lower().split()[-1] if name.split() else ""
    return len(last) > 4 and last.endswith("s") and not last.endswith(("ss", "us", "is"))


# MeSH chemicals that are no medicines: inorganic chemicals (mineral waters, anions) and the
# body's own molecules: enzymes, peptides and proteins (endorphins, receptors), nucleic
# acids, biological factors.
NO_MEDICINE_TREES = ("D01", "D08", "D12", "D13", "D23")
# What a salt, ester or strength adds to a drug's name: "cefuroxime axetil" and "morphine
# sulfate" are cefuroxime and morphine for every question a clinician asks.
SALTS = frozenset(
    """sodium potassium hydrochloride hcl sulfate sulphate axetil acetate citrate phosphate
    maleate mesylate mesilate tartrate succinate fumarate besylate besilate bromide chloride
    dihydrate monohydrate trihydrate hyclate pivoxil disoproxil hydrobromide lactate gluconate
    nitrate dipropionate propionate valerate butyrate furoate pamoate embonate tosylate
    esylate bitartrate""".split()  # noqa: SIM905
)
CATIONS = frozenset({"sodium", "potassium", "calcium", "magnesium", "zinc", "iron", "lithium"})
