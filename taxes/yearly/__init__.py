"""The yearly run of the tax: read the register (:mod:`.register`), build the engine's input per
taxpayer (:mod:`.inputs`), run the engine and write the drafts (:mod:`.writer`); :mod:`.run` ties them
together (:func:`assess_year`, and :func:`assess_party` for one taxpayer after an objection).
"""
