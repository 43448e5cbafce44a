"""The demo's evidence register: published literature on what makes local public-health partnerships succeed,
each entry tied to the demo's success factors.

Written by `make demo-data` (from `pipeline.generators.demo.generate`) as `reference/evidence_register.csv`.
Nothing here is random: every entry is a real, checkable publication (provenance in `data/raw/SOURCES.md`),
its finding a short paraphrase of what the publication says (not a quotation), its factors the demo's factor
ids the finding speaks to, and its strength a judgement on the four GRADE levels (Balshem et al. 2011):
observational, qualitative and documentary evidence starts at low and is rated down to very_low for risk of
bias (authors evaluating their own programme, self-report surveys) or indirectness (a policy review's view of
delivery rather than a study of it). The grades are the demo's, not the publications' own.
"""

from __future__ import annotations

import csv
import io
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from pipeline.generators.files import write_atomically


@dataclass(frozen=True)
class Evidence:
    """One row of `evidence_register.csv`."""

    evidence_id: str
    citation: str
    year: int
    kind: str
    finding: str
    factors: str
    direction: str
    strength: str
    url: str = ""


REGISTER: tuple[Evidence, ...] = (
    Evidence(
        "E01",
        "Office for Public Management. Tackling the root causes of health inequalities: evaluation of the "
        "Healthy Places, Healthy Lives programme for the NHS Institute for Innovation and Improvement. London: OPM.",
        2011,
        "evaluation",
        "Partnerships for which the programme added a new, complementary health-inequalities strand were "
        "characterised by strong senior leadership and day-to-day project management, and had existing governance "
        "arrangements and previous experience of addressing health inequalities; others needed support to overcome "
        "barriers. Mixed methods: literature review, stakeholder survey, site visits, case studies, information "
        "mapping.",
        "senior_leadership;project_management;governance;prior_experience",
        "supports",
        "low",
        "http://www.opm.co.uk/projects/tackling-the-root-causes-of-health-inequalities/",
    ),
    Evidence(
        "E02",
        "Marmot M, Allen J, Goldblatt P, Boyce T, McNeish D, Grady M, Geddes I. Fair Society, Healthy Lives: the "
        "Marmot Review. Strategic review of health inequalities in England post-2010. London: The Marmot Review; "
        "2010.",
        2010,
        "policy_report",
        "Reducing health inequalities needs action on six policy objectives across the social gradient, taken "
        "together by central and local government, the NHS, the third and private sectors and communities; the "
        "review holds that engaging these partners is necessary to make change happen. A review of evidence and "
        "stakeholder views, not an evaluation of partnerships.",
        "partnership_engagement;integration",
        "supports",
        "very_low",
        "https://www.local.gov.uk/marmot-review-report-fair-society-healthy-lives",
    ),
    Evidence(
        "E03",
        "National Institute for Health and Care Excellence. Community engagement: improving health and wellbeing "
        "and reducing health inequalities. NICE guideline NG44. London: NICE; 2016.",
        2016,
        "guidance",
        "Recommends that local communities, community and voluntary sector organisations and statutory services "
        "work together to plan, design, deliver and evaluate health and wellbeing initiatives, and recognises that "
        "building relationships, trust, commitment, leadership and capacity across them takes time.",
        "partnership_engagement",
        "supports",
        "low",
        "https://www.nice.org.uk/guidance/ng44/chapter/recommendations",
    ),
    Evidence(
        "E04",
        "Hayes SL, Mann MK, Morgan FM, Kelly MJ, Weightman AL. Collaboration between local health and local "
        "government agencies for health improvement. Cochrane Database of Systematic Reviews 2012, Issue 10: "
        "CD007825. doi:10.1002/14651858.CD007825.pub6",
        2012,
        "systematic_review",
        "Sixteen controlled studies, only two at low risk of bias: collaboration between local health and local "
        "government agencies may make little or no difference to physical health or quality of life compared with "
        "standard care, and its effects on mortality and mental health are uncertain.",
        "partnership_engagement",
        "against",
        "low",
        "https://doi.org/10.1002/14651858.CD007825.pub6",
    ),
    Evidence(
        "E05",
        "Dowling B, Powell M, Glendinning C. Conceptualising successful partnerships. Health and Social Care in "
        "the Community 2004; 12(4): 309-317.",
        2004,
        "literature_review",
        "A literature survey of partnership working in health and social care: success was judged mostly by "
        "process (how well partners work together on joint aims, the partnership's long-term sustainability) and "
        "much less by outcomes for services or their users, a gap in the evidence.",
        "partnership_engagement;integration",
        "mixed",
        "very_low",
        "https://www.ncbi.nlm.nih.gov/pubmed/15272886",
    ),
    Evidence(
        "E06",
        "Audit Commission. Governing partnerships: bridging the accountability gap. London: Audit Commission; 2005.",
        2005,
        "policy_report",
        "Local partnerships can bring flexibility, innovation and resources to problems no single body can tackle, "
        "but also risks, complexity and blurred accountability; clear governance and accountability between "
        "partners are needed, and governance problems were more common where partners had no partnership "
        "agreement.",
        "governance",
        "supports",
        "low",
    ),
    Evidence(
        "E07",
        "Bauld L, Judge K, Barnes M, Benzeval M, Mackenzie M, Sullivan H. Promoting social change: the experience "
        "of Health Action Zones in England. Journal of Social Policy 2005; 34(3): 427-445. "
        "doi:10.1017/S0047279405008858",
        2005,
        "evaluation",
        "The national evaluation of Health Action Zones, area-based partnerships on the social determinants of "
        "health inequalities, found relatively limited impact and many early expectations unmet; the authors "
        "judge they made a good start in difficult circumstances and draw lessons for complex community-based "
        "partnership interventions.",
        "partnership_engagement",
        "mixed",
        "low",
        "https://doi.org/10.1017/S0047279405008858",
    ),
    Evidence(
        "E08",
        "Hadley A, Ingham R, Chandra-Mouli V. Implementing the United Kingdom's ten-year teenage pregnancy strategy "
        "for England (1999-2010): how was this done and what did it achieve? Reproductive Health 2016; 13: 139. "
        "doi:10.1186/s12978-016-0255-4",
        2016,
        "evaluation",
        "From the strategy's own documentation: the under-18 conception rate fell by 51% between 1998 and 2014. "
        "Causes cannot be separated, but six features are judged to have contributed, among them structures and "
        "guidance for implementation (local coordinators and partnership boards), regular review of progress, "
        "embedding the actions in wider programmes and sustained government leadership.",
        "senior_leadership;project_management;governance;integration",
        "supports",
        "very_low",
        "https://reproductive-health-journal.biomedcentral.com/articles/10.1186/s12978-016-0255-4",
    ),
    Evidence(
        "E09",
        "Humphries R, Galea A. Health and wellbeing boards: one year on. London: The King's Fund; 2013.",
        2013,
        "policy_report",
        "A survey of health and wellbeing boards: local authorities showed strong leadership in setting them up "
        "(most chaired by a senior elected member) and relationships with clinical commissioning groups were good; "
        "national development support through a learning network helped shadow boards prepare, while the "
        "financial climate and confusion about new roles were seen as the main obstacles.",
        "senior_leadership;governance;support_offer_use",
        "supports",
        "very_low",
        "https://www.kingsfund.org.uk/press/press-releases/future-health-and-wellbeing-boards-side-show-or-system-leader",
    ),
    Evidence(
        "E10",
        "de Silva D. Improvement collaboratives in health care. Evidence scan No. 21. London: The Health "
        "Foundation; 2014.",
        2014,
        "literature_review",
        "Quality improvement collaboratives, in which teams learn from and motivate each other, have had mixed "
        "results over some twenty years; they are more likely to work when they consider who takes part, the "
        "topic, how activities are run and the resources provided.",
        "support_offer_use",
        "mixed",
        "low",
        "http://www.health.org.uk/publications/improvement-collaboratives-in-health-care",
    ),
    Evidence(
        "E11",
        "Zamboni K, Baker U, Tyagi M, Schellenberg J, Hill Z, Hanson C. How and under what circumstances do "
        "quality improvement collaboratives lead to better outcomes? A systematic review. Implementation Science "
        "2020; 15. doi:10.1186/s13012-020-0978-z",
        2020,
        "systematic_review",
        "Thirty-two studies: the adequacy and appropriateness of external support, how well improvement teams "
        "function, leadership and alignment with national priorities may influence outcomes, but the strength and "
        "quality of the evidence is weak; taking part may improve knowledge, teamwork and shared leadership.",
        "support_offer_use;senior_leadership",
        "mixed",
        "low",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC7199331",
    ),
    Evidence(
        "E12",
        "Mattessich PW, Monsey BR. Collaboration: what makes it work. A review of research literature on factors "
        "influencing successful collaboration. St Paul, MN: Amherst H. Wilder Foundation; 1992.",
        1992,
        "literature_review",
        "Blending the findings of 18 studies that passed its screening, names 19 factors that influence whether a "
        "collaboration succeeds, among them a history of collaboration or cooperation in the community.",
        "prior_experience",
        "supports",
        "low",
        "https://eric.ed.gov/?id=ED390758",
    ),
)


def register_csv(register: tuple[Evidence, ...] = REGISTER) -> bytes:
    """The register as `evidence_register.csv` bytes (UTF-8, LF line ends, quoted only where needed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([field.name for field in fields(Evidence)])
    writer.writerows(astuple(entry) for entry in register)
    return out.getvalue().encode("utf-8")


def write_evidence_register(reference_dir: Path) -> int:
    """Write `reference_dir/evidence_register.csv`; returns the number of entries."""
    write_atomically(reference_dir / "evidence_register.csv", register_csv())
    return len(REGISTER)
