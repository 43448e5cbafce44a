-- Cronbach's alpha of each construct in the wave needs, over the respondents who answered every item of
-- the construct that anyone answered (listwise): the sum of the item variances (added in item order) and
-- the variance of the total score (see pipeline.methods.reliability; the marts finish the computation).
-- {constructs}: one SELECT per construct over _wave_scored (see `staging.stage_summaries`).
INSERT INTO staging.survey_construct_reliability BY NAME
SELECT $wave AS wave, * FROM ({constructs})
