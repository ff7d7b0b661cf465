"""reference data: skills, regions, skill tests, reasons, specialties

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

The metadata API's lists, written with fixed ids like the job categories
(the rows are reference data, not anyone's: the demo's reset keeps them):
about four hundred skills by version-2 category, the world's regions and
their countries, fifty skill tests, the reasons of every documented
``reason_type`` (delete_job's and end_contract's documented codes among
them: those routes validate against this table) and the specialties of the
version-2 subcategories. docs/metadata.md describes the rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# --------------------------------------------------------------------------
# The rows. Ids are fixed: they are the numbers the API shows and other
# rows (provider profiles, jobs) keep, so a row is never renumbered.

# Skills by version-2 category (the ids of JOB_CATEGORIES_V2 in 0004): a
# skill's id is 1000 * (category id - 10) + its position in the list (from 1).
SKILLS: list[tuple[int, list[str]]] = [
    (
        11,  # Web, Mobile & Software Dev
        """
        python django flask ruby ruby-on-rails php laravel symfony codeigniter wordpress drupal
        joomla magento shopify woocommerce javascript typescript jquery node.js express.js react
        angularjs vue.js html html5 css css3 sass twitter-bootstrap java spring-framework kotlin
        scala c c++ c# asp.net .net-framework visual-basic objective-c swift ios-development
        android-development react-native flutter xamarin unity3d unreal-engine game-design go rust
        perl bash-scripting powershell api-development rest soap graphql json xml ajax git docker
        software-testing selenium automated-testing unit-testing agile-software-development scrum
        product-management ui-design ux-design responsive-web-design web-scraping chrome-extension
        electron qt wpf matlab r machine-learning data-science pandas numpy cocoa opengl
        embedded-systems arduino
        """.split(),
    ),
    (
        12,  # IT & Networking
        """
        mysql postgresql microsoft-sql-server oracle-database mongodb redis sqlite database-design
        database-administration linux-system-administration windows-server ubuntu centos apache
        nginx network-administration cisco vpn firewall network-security information-security
        penetration-testing vulnerability-assessment amazon-web-services microsoft-azure
        google-cloud-platform vmware virtualization active-directory microsoft-exchange-server
        office-365 salesforce sap netsuite microsoft-dynamics zoho-crm erp-software crm-software
        devops jenkins ansible puppet chef terraform kubernetes nagios backup-and-recovery dns
        email-server-administration tcp-ip voip asterisk
        """.split(),
    ),
    (
        13,  # Design & Creative
        """
        adobe-photoshop adobe-illustrator adobe-indesign adobe-after-effects adobe-premiere-pro
        adobe-flash coreldraw gimp inkscape sketch figma graphic-design logo-design brand-identity
        illustration digital-painting vector-art infographics print-design brochure-design
        packaging-design banner-design icon-design typography 3d-modeling 3d-rendering 3d-animation
        autodesk-maya 3ds-max blender cinema-4d autocad sketchup 2d-animation motion-graphics
        whiteboard-animation video-editing final-cut-pro video-production audio-editing
        audio-production pro-tools sound-design music-composition voice-over voice-acting
        photography photo-editing photo-retouching product-photography microsoft-powerpoint
        presentation-design prezi
        """.split(),
    ),
    (
        14,  # Writing
        """
        article-writing blog-writing content-writing copywriting creative-writing ghostwriting
        fiction-writing technical-writing business-writing academic-writing research-papers editing
        proofreading copy-editing grant-writing proposal-writing resume-writing cover-letter-writing
        linkedin-profile-writing press-releases scriptwriting screenwriting speech-writing
        web-content seo-writing product-descriptions ebook-writing newsletter-writing
        user-documentation api-documentation white-papers case-studies english-grammar ap-style
        chicago-manual-of-style
        """.split(),
    ),
    (
        15,  # Translation
        """
        english spanish french german italian portuguese russian ukrainian polish dutch swedish
        arabic hebrew turkish chinese japanese korean hindi vietnamese thai indonesian tagalog
        romanian greek czech translation english-spanish-translation english-french-translation
        english-german-translation legal-translation medical-translation technical-translation
        localization subtitling interpretation
        """.split(),
    ),
    (
        16,  # Admin Support
        """
        data-entry data-processing microsoft-excel microsoft-word google-docs google-sheets typing
        virtual-assistant personal-assistant email-handling calendar-management internet-research
        web-research lead-list-building transcription audio-transcription medical-transcription
        legal-transcription general-office-skills project-coordination project-scheduling
        microsoft-project trello asana basecamp file-management pdf-conversion ocr order-entry
        """.split(),
    ),
    (
        17,  # Customer Service
        """
        customer-service customer-support technical-support phone-support email-support
        live-chat-support help-desk zendesk freshdesk ticketing-systems order-processing
        complaint-resolution call-center inbound-calls outbound-calls bilingual-support
        community-moderation
        """.split(),
    ),
    (
        18,  # Sales & Marketing
        """
        internet-marketing digital-marketing search-engine-optimization search-engine-marketing
        google-adwords pay-per-click bing-ads facebook-marketing facebook-ads twitter-marketing
        instagram-marketing linkedin-marketing pinterest-marketing youtube-marketing
        social-media-marketing social-media-management content-marketing email-marketing mailchimp
        hubspot marketo marketing-automation affiliate-marketing display-advertising
        google-analytics link-building keyword-research market-research survey-design
        competitive-analysis lead-generation cold-calling telemarketing telesales
        appointment-setting b2b-sales sales-management public-relations media-relations
        marketing-strategy brand-management growth-hacking conversion-rate-optimization a-b-testing
        """.split(),
    ),
    (
        19,  # Accounting & Consulting
        """
        accounting bookkeeping quickbooks xero financial-accounting financial-analysis
        financial-modeling financial-reporting budgeting forecasting payroll accounts-payable
        accounts-receivable tax-preparation us-taxation auditing business-analysis business-planning
        business-consulting management-consulting strategic-planning startup-consulting
        human-resources recruiting talent-acquisition employee-training hr-policies
        contract-drafting contract-law intellectual-property-law corporate-law regulatory-compliance
        risk-management six-sigma lean-management operations-management supply-chain-management
        logistics project-management valuation investment-research ifrs gaap
        """.split(),
    ),
]

# World regions (id: their position, from 1) and their countries (id: 100 * the region's id + position).
REGIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "Africa",
        [
            "Algeria",
            "Cameroon",
            "Egypt",
            "Ethiopia",
            "Ghana",
            "Ivory Coast",
            "Kenya",
            "Madagascar",
            "Mauritius",
            "Morocco",
            "Nigeria",
            "Rwanda",
            "Senegal",
            "South Africa",
            "Tanzania",
            "Tunisia",
            "Uganda",
            "Zambia",
            "Zimbabwe",
        ],
    ),
    (2, "Australasia", ["Australia", "New Zealand", "Fiji", "Papua New Guinea"]),
    (3, "East Asia", ["China", "Hong Kong", "Japan", "Macau", "Mongolia", "South Korea", "Taiwan"]),
    (
        4,
        "Eastern Europe",
        [
            "Albania",
            "Armenia",
            "Azerbaijan",
            "Belarus",
            "Bosnia and Herzegovina",
            "Bulgaria",
            "Croatia",
            "Czech Republic",
            "Estonia",
            "Georgia",
            "Hungary",
            "Latvia",
            "Lithuania",
            "Moldova",
            "Montenegro",
            "North Macedonia",
            "Poland",
            "Romania",
            "Russia",
            "Serbia",
            "Slovakia",
            "Slovenia",
            "Ukraine",
        ],
    ),
    (
        5,
        "Latin America",
        [
            "Argentina",
            "Bolivia",
            "Brazil",
            "Chile",
            "Colombia",
            "Costa Rica",
            "Dominican Republic",
            "Ecuador",
            "El Salvador",
            "Guatemala",
            "Honduras",
            "Jamaica",
            "Mexico",
            "Nicaragua",
            "Panama",
            "Paraguay",
            "Peru",
            "Puerto Rico",
            "Trinidad and Tobago",
            "Uruguay",
            "Venezuela",
        ],
    ),
    (
        6,
        "Middle East",
        [
            "Bahrain",
            "Iraq",
            "Israel",
            "Jordan",
            "Kuwait",
            "Lebanon",
            "Oman",
            "Palestine",
            "Qatar",
            "Saudi Arabia",
            "Turkey",
            "United Arab Emirates",
        ],
    ),
    (7, "North America", ["Canada", "United States", "Bermuda"]),
    (8, "South Asia", ["Bangladesh", "Bhutan", "India", "Maldives", "Nepal", "Pakistan", "Sri Lanka"]),
    (
        9,
        "Southeast Asia",
        ["Cambodia", "Indonesia", "Laos", "Malaysia", "Myanmar", "Philippines", "Singapore", "Thailand", "Vietnam"],
    ),
    (
        10,
        "Western Europe",
        [
            "Austria",
            "Belgium",
            "Cyprus",
            "Denmark",
            "Finland",
            "France",
            "Germany",
            "Greece",
            "Iceland",
            "Ireland",
            "Italy",
            "Luxembourg",
            "Malta",
            "Netherlands",
            "Norway",
            "Portugal",
            "Spain",
            "Sweden",
            "Switzerland",
            "United Kingdom",
        ],
    ),
    (11, "Central Asia", ["Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"]),
]

# Skill tests: those of no category (id: position, from 1), then by version-2
# category (id: 100 * (category id - 10) + position).
SKILL_TESTS: list[tuple[int | None, list[str]]] = [
    (
        None,
        [
            "oDesk Readiness Test for Independent Contractors and Company Managers",
            "U.S. English Basic Skills Test",
            "English Spelling Test (U.S. Version)",
            "English Vocabulary Test",
        ],
    ),
    (
        11,
        [
            "PHP 5 Test",
            "Python Test",
            "Java Test",
            "JavaScript Test",
            "HTML 5 Test",
            "CSS Test",
            "jQuery Test",
            "Ruby on Rails Test",
            "C# Test",
            "Android Programming Test",
            "iOS Programming Test",
            "WordPress Test",
            "Manual Software Testing Test",
        ],
    ),
    (
        12,
        [
            "MySQL Test",
            "Linux Administration Test",
            "Network Administration Test",
            "Information Security Test",
            "Windows Server Administration Test",
            "Amazon Web Services Test",
        ],
    ),
    (
        13,
        [
            "Adobe Photoshop Test",
            "Adobe Illustrator Test",
            "Logo Design Test",
            "Graphic Design Concepts Test",
            "Video Editing Test",
        ],
    ),
    (14, ["English Writing Skills Test", "Article Writing Test", "Technical Writing Test", "Proofreading Test"]),
    (
        15,
        [
            "Spanish to English Translation Skills Test",
            "French to English Translation Skills Test",
            "German to English Translation Skills Test",
        ],
    ),
    (16, ["Data Entry Skills Test", "Microsoft Excel Test", "Microsoft Word Test", "Office Skills Test"]),
    (17, ["Customer Service Skills Test", "Call Center Skills Test", "Email Etiquette Test"]),
    (
        18,
        [
            "Internet Marketing Test",
            "Search Engine Optimization Test",
            "Social Media Marketing Test",
            "Email Marketing Test",
        ],
    ),
    (19, ["Accounting Principles Test", "QuickBooks Test", "Project Management Test", "Human Resources Test"]),
]

# Reasons by documented reason_type: (id, code, title). ``code`` is what a
# write route takes: CloseOpening's are delete_job's documented reason codes
# (their ids too), EndProviderContract's end_contract's documented
# API_REAS_* codes; the other types have no write route yet and codes of the
# same style. Ids: the documented numbers for CloseOpening, otherwise 100 *
# the type's block + position.
REASONS: dict[str, list[tuple[int, str, str]]] = {
    "EmployerEndsNoStartContract": [
        (101, "API_REAS_NEVER_STARTED", "The contractor never started the work"),
        (102, "API_REAS_HIRED_BY_MISTAKE", "Hired by mistake"),
        (103, "API_REAS_HIRED_DIFFERENT", "Hired a different contractor before the start"),
        (104, "API_REAS_WORK_NOT_NEEDED", "The work is no longer needed"),
        (105, "API_REAS_TERMS_NOT_AGREED", "Could not agree on the terms"),
    ],
    "CloseOpening": [
        (67, "67", "Accidental opening creation"),
        (51, "51", "All positions filled"),
        (49, "49", "Filled by alternate source"),
        (41, "41", "Project was cancelled"),
        (34, "34", "No developer for requested skills"),
    ],
    "RejectCandidate": [
        (201, "API_REAS_SKILLS_MISMATCH", "Skills do not match the job"),
        (202, "API_REAS_RATE_TOO_HIGH", "Rate too high"),
        (203, "API_REAS_NOT_ENOUGH_EXPERIENCE", "Not enough experience"),
        (204, "API_REAS_POOR_ENGLISH", "English not good enough for the job"),
        (205, "API_REAS_POSITION_FILLED", "The position is filled"),
        (206, "API_REAS_OTHER_CANDIDATE", "Another candidate was a better fit"),
    ],
    "RejectInterviewInvite": [
        (301, "API_REAS_NOT_INTERESTED", "Not interested in the job"),
        (302, "API_REAS_RATE_TOO_LOW", "The budget or rate is too low"),
        (303, "API_REAS_NOT_AVAILABLE", "Not available at the moment"),
        (304, "API_REAS_SKILLS_MISMATCH", "The job does not match my skills"),
        (305, "API_REAS_CLIENT_CONCERNS", "Concerns about the client's history"),
    ],
    "CancelCandidacy": [
        (401, "API_REAS_ACCEPTED_OTHER_JOB", "Accepted another job"),
        (402, "API_REAS_NOT_AVAILABLE", "No longer available"),
        (403, "API_REAS_JOB_CHANGED", "The job changed after I applied"),
        (404, "API_REAS_CLIENT_NOT_RESPONSIVE", "The client does not respond"),
        (405, "API_REAS_APPLIED_BY_MISTAKE", "Applied by mistake"),
    ],
    "EndProviderContract": [
        (501, "API_REAS_JOB_COMPLETED_SUCCESSFULLY", "Job was completed successfully"),
        (502, "API_REAS_WORK_NOT_NEEDED", "The work is no longer needed"),
        (503, "API_REAS_HIRED_DIFFERENT", "Hired a different contractor"),
        (504, "API_REAS_CONTRACTOR_NOT_RESPONSIVE", "The contractor was not responsive"),
        (505, "API_REAS_MISREPRESENTED_SKILLS", "The contractor misrepresented his or her skills"),
        (506, "API_REAS_UNPROFESSIONAL_CONDUCT", "The contractor's conduct was unprofessional"),
    ],
    "EndCustomerContract": [
        (601, "API_REAS_JOB_COMPLETED_SUCCESSFULLY", "Job was completed successfully"),
        (602, "API_REAS_CLIENT_NOT_RESPONSIVE", "The client was not responsive"),
        (603, "API_REAS_SCOPE_CHANGED", "The client asked for work outside the agreed scope"),
        (604, "API_REAS_PAYMENT_ISSUES", "Problems getting paid"),
        (605, "API_REAS_NOT_AVAILABLE", "No longer available for the work"),
        (606, "API_REAS_UNPROFESSIONAL_CONDUCT", "The client's conduct was unprofessional"),
    ],
    "EndAssignment": [
        (701, "API_REAS_ASSIGNMENT_COMPLETED", "The assignment is completed"),
        (702, "API_REAS_BUDGET_EXHAUSTED", "The budget is exhausted"),
        (703, "API_REAS_NOT_AVAILABLE", "The contractor is no longer available"),
        (704, "API_REAS_NEEDS_CHANGED", "Business needs changed"),
        (705, "API_REAS_PERFORMANCE", "Performance did not meet expectations"),
    ],
}

# Specialties by version-2 subcategory (ids of JOB_CATEGORIES_V2 in 0004:
# 100 * category + position); a specialty's id is 10 * its subcategory's id + position.
SPECIALTIES: list[tuple[int, list[str]]] = [
    (1101, ["Windows Applications", "macOS Applications", "Cross-Platform Desktop Applications"]),
    (1102, ["Online Store Setup", "Payment Gateway Integration", "Ecommerce Platform Customization"]),
    (1103, ["Mobile Games", "PC & Console Games", "Browser Games"]),
    (1104, ["iOS Development", "Android Development", "Cross-Platform Mobile Development"]),
    (1105, ["Product Strategy", "Agile Coaching"]),
    (1106, ["Manual Testing", "Test Automation", "Performance Testing"]),
    (1107, ["Automation Scripts", "Web Scraping", "Browser Extensions"]),
    (1108, ["Website Design", "Mobile App Design", "User Experience Research"]),
    (1109, ["Front-End Development", "Back-End Development", "Full-Stack Development", "CMS Development"]),
    (1201, ["Database Tuning", "Data Migration"]),
    (1202, ["CRM Implementation", "ERP Implementation"]),
    (1203, ["Security Audits", "Penetration Testing"]),
    (1204, ["Cloud Infrastructure", "Server Administration", "Network Setup"]),
    (1301, ["2D Animation", "3D Animation", "Explainer Videos"]),
    (1302, ["Mixing & Mastering", "Podcast Editing"]),
    (1303, ["Print Design", "Web Graphics", "Infographics"]),
    (1304, ["Character Illustration", "Book Illustration"]),
    (1305, ["Logo Design", "Brand Style Guides"]),
    (1306, ["Product Photography", "Photo Retouching"]),
    (1307, ["Slide Deck Design", "Pitch Decks"]),
    (1308, ["Video Editing", "Motion Graphics"]),
    (1309, ["Voice-Over", "Character Voices"]),
    (1401, ["Research Summaries", "Literature Reviews"]),
    (1402, ["Blog Posts", "Feature Articles"]),
    (1403, ["Sales Copy", "Ad Copy"]),
    (1404, ["Fiction", "Poetry"]),
    (1405, ["Proofreading", "Developmental Editing"]),
    (1406, ["Nonprofit Grants", "Research Grants"]),
    (1407, ["Resume Writing", "LinkedIn Profiles"]),
    (1408, ["User Manuals", "API Documentation"]),
    (1409, ["Website Copy", "SEO Content"]),
    (1501, ["Document Translation", "Website Localization"]),
    (1502, ["Contract Translation", "Certified Translation"]),
    (1503, ["Clinical Documents", "Pharmaceutical Labels"]),
    (1504, ["Software Localization", "Engineering Documents"]),
    (1601, ["Data Cleansing", "Form Filling"]),
    (1602, ["Email Management", "Calendar Management"]),
    (1603, ["Project Coordination", "Scheduling"]),
    (1604, ["General Transcription", "Medical Transcription", "Legal Transcription"]),
    (1605, ["Lead Research", "Market Data Collection"]),
    (1701, ["Email Support", "Live Chat Support", "Phone Support"]),
    (1702, ["Help Desk", "Software Support"]),
    (1801, ["Banner Campaigns", "Retargeting"]),
    (1802, ["Newsletter Campaigns", "Marketing Automation Setup"]),
    (1803, ["B2B Lead Lists", "Appointment Setting"]),
    (1804, ["Surveys", "Competitor Analysis"]),
    (1805, ["Go-to-Market Planning", "Brand Strategy"]),
    (1806, ["Press Releases", "Media Outreach"]),
    (1807, ["Google Ads Campaigns", "Bing Ads Campaigns"]),
    (1808, ["On-Page SEO", "Link Building", "Local SEO"]),
    (1809, ["Social Media Management", "Paid Social Campaigns"]),
    (1810, ["Outbound Sales Calls", "Inbound Sales"]),
    (1901, ["Bookkeeping", "Tax Preparation", "Financial Statements"]),
    (1902, ["Financial Modeling", "Budget Planning"]),
    (1903, ["Recruiting", "HR Policies", "Payroll Administration"]),
    (1904, ["Business Plans", "Process Improvement"]),
]


def upgrade() -> None:
    op.create_table(
        "skills",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"], ["job_categories.id"], name=op.f("fk_skills_category_id_job_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("name", name=op.f("uq_skills_name")),
    )
    op.create_table(
        "regions",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["regions.id"], name=op.f("fk_regions_parent_id_regions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regions")),
        sa.UniqueConstraint("name", name=op.f("uq_regions_name")),
    )
    op.create_table(
        "skill_tests",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"], ["job_categories.id"], name=op.f("fk_skill_tests_category_id_job_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_tests")),
        sa.UniqueConstraint("name", name=op.f("uq_skill_tests_name")),
    )
    op.create_table(
        "reasons",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reason_type", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reasons")),
        sa.UniqueConstraint("reason_type", "code", name=op.f("uq_reasons_reason_type_code")),
        sa.UniqueConstraint("reason_type", "title", name=op.f("uq_reasons_reason_type_title")),
    )
    op.create_index(op.f("ix_reasons_reason_type"), "reasons", ["reason_type"], unique=False)
    op.create_table(
        "specialties",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"], ["job_categories.id"], name=op.f("fk_specialties_category_id_job_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_specialties")),
        sa.UniqueConstraint("category_id", "title", name=op.f("uq_specialties_category_id_title")),
    )
    _seed()


def downgrade() -> None:
    op.drop_table("specialties")
    op.drop_index(op.f("ix_reasons_reason_type"), table_name="reasons")
    op.drop_table("reasons")
    op.drop_table("skill_tests")
    op.drop_table("regions")
    op.drop_table("skills")


def _seed() -> None:
    """Insert the rows above with their fixed ids."""
    op.bulk_insert(_table("skills", "name", "category_id"), skill_rows())
    op.bulk_insert(_table("regions", "name", "parent_id"), region_rows())
    op.bulk_insert(_table("skill_tests", "name", "category_id"), skill_test_rows())
    op.bulk_insert(_table("reasons", "reason_type", "code", "title"), reason_rows())
    op.bulk_insert(_table("specialties", "category_id", "title"), specialty_rows())


def _table(name: str, *columns: str) -> sa.TableClause:
    types = {"category_id": sa.Integer(), "parent_id": sa.Integer()}
    return sa.table(name, sa.column("id", sa.Integer()), *(sa.column(c, types.get(c, sa.String())) for c in columns))


def skill_rows() -> list[dict[str, object]]:
    return [
        {"id": 1000 * (category - 10) + position, "name": name, "category_id": category}
        for category, names in SKILLS
        for position, name in enumerate(names, start=1)
    ]


def region_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for region_id, name, parts in REGIONS:
        rows.append({"id": region_id, "name": name, "parent_id": None})
        rows.extend(
            {"id": 100 * region_id + position, "name": part, "parent_id": region_id}
            for position, part in enumerate(parts, start=1)
        )
    return rows


def skill_test_rows() -> list[dict[str, object]]:
    return [
        {
            "id": (100 * (category - 10) if category is not None else 0) + position,
            "name": name,
            "category_id": category,
        }
        for category, names in SKILL_TESTS
        for position, name in enumerate(names, start=1)
    ]


def reason_rows() -> list[dict[str, object]]:
    return [
        {"id": reason_id, "reason_type": reason_type, "code": code, "title": title}
        for reason_type, reasons in REASONS.items()
        for reason_id, code, title in reasons
    ]


def specialty_rows() -> list[dict[str, object]]:
    return [
        {"id": 10 * subcategory + position, "category_id": subcategory, "title": title}
        for subcategory, titles in SPECIALTIES
        for position, title in enumerate(titles, start=1)
    ]
