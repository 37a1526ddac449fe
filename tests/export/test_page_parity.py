"""DOCX and PDF fill the same pages: the page counts of the pairs we looked at.

The three built-in samples, a Markdown brief in each shape (Smart Brevity with
key bullets and a Source line, long-form with a contents list, a memo with
footnotes) and a twenty-page brief are exported through the command line to
both formats; LibreOffice lays out every DOCX in one run. Each pair's page
counts are the ones seen when the pages were rendered and looked at side by
side (issue 8, item 11), and the two formats never differ by more than one
page. A change in layout that moves text to another page shows up here.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from briefer.cli import CliContext, main
from briefer.paths import Paths

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("soffice") is None,
        reason="needs LibreOffice (make test installs it)",
    ),
]

SMART = """\
---
title: Rotterdam's night berths go to auction
author: Mira Castell
date: 2026-11-24
classification: INTERNAL
template: smart-brevity
---

- Rotterdam will auction its overnight berth slots from March, ending "first come, first served" [@ledger].
- Carriers that bid for a season get a 12% discount on harbour dues [@wire].
- Two of our three shipping partners say they will bid; the third hasn't decided.

## What Happened?

The port authority's board voted 7–2 on Monday to sell night berths in quarterly lots -- the first European port to do so [@ledger]. Bids open on 15 January.

## Why It Matters?

We book about 25 night calls a month through Rotterdam. If our partners win slots, our trucks can be scheduled a week ahead instead of a day; if they don't, we'll pay the "spot" surcharge of roughly €40 per container [@wire].

## What's Next?

Ask each partner for its bid plan by 10 December. Legal should read the auction rules before we sign anything.

[@ledger]: https://news.example.org/rotterdam-auction "Rotterdam to auction night berths" {publisher="Northern Ledger" published=2026-11-23}
[@wire]: https://wire.example.com/ports/rdam "Berth auction: what carriers pay" {publisher="Coastal Wire" author="Ana Ruiz"}
"""  # noqa: E501

SMART_SOURCE_LINE = """\
---
title: Copper hits a two-year high as Chilean mines strike
author: Mira Castell
date: 2026-11-24
template: smart-brevity
---

- Copper rose 6% this week, its highest price since 2024.
- Strikes at two Chilean mines took about 3% of world supply offline.
- Our cable contracts reprice on 1 January.

## What Happened?

Workers at the Escondida and Collahuasi mines walked out on Tuesday after wage talks failed. Futures in London jumped the same day.

## Why It Matters?

Copper is 40% of what our cables cost. At this week's price, next year's contracts would cost us about €2.1 million more.

## What's Next?

Talks resume on Monday. Procurement should ask suppliers for a price fixed until March before the contracts reprice.

Sources: Bloomberg; Reuters
"""  # noqa: E501

LONG_FORM = """\
---
title: Why the canal towns are rebuilding their quays
subtitle: Three towns, one flood and a funding rule that changed everything
author: Elena Vasquez
date: 2026-11-23
template: long-form
---

# Why the canal towns are rebuilding their quays

Four years after the flood that closed the northern canal for a summer, the three towns along it are rebuilding their quays at once. The reason is less the water than a change in how the regional fund pays for repairs [@fund].

## What the flood did

The 2022 flood lifted the canal by 1.8 metres in two days [@survey]. In the towns, it:

1. undermined the old stone quays, which were built on timber piles;
2. closed the lock at Vell for eleven weeks;
3. stranded forty-two barges, most of them holiday boats.

> The quays were never designed for a canal that rises that fast. We were lucky nobody was standing on one when it went.

That was the town engineer of Vell, speaking to the council a month later [@minutes].

## The money

### The old rule

Until last year the regional fund paid half of a repair and only after the work was done [@fund]. A small town had to find the whole sum first.

### The new rule

Since January the fund pays 70% up front for work that also raises the quay above the 2022 water line.

| Town | Quay length | Fund share | Start |
|:-----|------------:|-----------:|------:|
| Vell | 640 m | 70% | 2026 |
| Ostra | 410 m | 70% | 2027 |
| Marn | 220 m | 50% | 2027 |

Marn's share is lower because part of its quay is privately owned [@fund].

## What comes next

Work in Vell starts in March. The other two towns are waiting for the fund's decision on their drawings, expected in February [@minutes].

[@fund]: https://region.example.eu/fund/quays "Quay repair fund: conditions 2026"
[@survey]: https://water.example.eu/reports/2022-flood "Northern canal flood survey"
[@minutes]: https://vell.example.eu/council/2026-10 "Vell council minutes, October"
"""  # noqa: E501

MEMO = """\
---
title: Phishing kits now target payroll portals
subtitle: Assessment for the finance security group
author: Analysis Cell B
date: 2026-11-24
classification: RESTRICTED // FINANCE
template: bluf-memo
---

## Bottom Line Up Front

Two phishing kits sold since October copy our payroll provider's login page, and we expect a campaign against our staff before the December pay run [@cert].

## Key Judgments

- **High confidence:** the kits are aimed at payroll portals, not email [@cert].
- **Moderate confidence:** a criminal group has bought one of them with our sector in mind [@intel].
- **Low confidence:** the campaign will use SMS rather than email [@blog].

## Discussion

The national CERT published samples of both kits on 12 November [@cert]. Each copies the provider's page pixel for pixel and forwards the one-time code in real time, which defeats SMS codes. A forum post offering "payroll-ready" access names three companies in our sector [@intel]; one of them reported a diverted salary payment last week.

A security blog tracked the kits' hosting to a provider that has hosted SMS phishing before [@blog]. That is weak evidence on its own, which is why the judgment is low confidence.

We checked our own logs: no login from the kits' known addresses so far [@cert].

## Outlook

Expect the first messages in the week before the pay run. A report from another finance team, or a new domain that imitates the provider, would raise our confidence.

[@cert]: https://cert.example.gov/advisories/2026-071 "Advisory: payroll phishing kits"
[@intel]: https://intel.example.com/notes/payroll-access "Access brokers advertise payroll portals"
[@blog]: https://blog.example.net/sms-kits "Following the hosting of two SMS kits"
"""  # noqa: E501

WORDS = [
    "harbour",
    "berth",
    "crane",
    "schedule",
    "carrier",
    "broker",
    "tariff",
    "vessel",
    "cargo",
    "quay",
    "lock",
    "barge",
    "freight",
    "route",
    "night",
    "train",
    "sleeper",
    "subsidy",
    "access",
    "charge",
    "ministry",
    "council",
    "fund",
]


def sentence(seed: int, length: int) -> str:
    """A sentence of `length` words chosen by `seed`: the same every run."""
    words = [WORDS[(seed * 7 + i * 13 + (seed * i) % 5) % len(WORDS)] for i in range(length)]
    return " ".join(words).capitalize() + "."


def twenty_pages() -> str:
    """A long-form brief of about twenty pages: paragraphs, sub-headings,
    bullets, numbered lists, quotes and tables, citing three sources."""
    out = [
        "---",
        "title: Twenty pages on ports and rails",
        "author: Test Author",
        "date: 2026-11-24",
        "template: long-form",
        "---",
        "",
        " ".join(sentence(i, 14) for i in range(4)) + " [@a]",
        "",
    ]
    for part in range(1, 36):
        out += [f"## Part {part}: {sentence(part, 3)[:-1]}", ""]
        for p in range(3):
            seed = part * 10 + p
            text = " ".join(sentence(seed + k, 8 + (seed + k) % 11) for k in range(3 + seed % 4))
            out += [f"{text[:-1]} [@{'abc'[p]}].", ""]
        if part % 2:
            out += [f"### Detail {part}", ""]
            out += [f"- {sentence(part + i, 6 + (part + i) % 10)}" for i in range(4)] + [""]
        if part % 3 == 0:
            out += ["> " + " ".join(sentence(part + i, 12) for i in range(2)), ""]
        if part % 4 == 0:
            out += ["| Name | Value | Note |", "|:--|--:|:--|"]
            out += [
                f"| {WORDS[(part + i) % len(WORDS)]} | {(part * 37 + i * 101) % 1000}"
                f" | {sentence(part * 3 + i, 5)} |"
                for i in range(5)
            ] + [""]
        if part % 5 == 0:
            out += [f"1. {sentence(part, 10)}", f"2. {sentence(part + 1, 12)}", ""]
    out += [
        '[@a]: https://a.example.org/x "Report A"',
        '[@b]: https://b.example.org/y "Report B"',
        '[@c]: https://c.example.org/z "Report C"',
    ]
    return "\n".join(out) + "\n"


# name -> (pages in the PDF, pages in the DOCX as LibreOffice lays it out)
PAGES = {
    "sample-smart-brevity": (1, 1),
    "sample-long-form": (2, 2),
    "sample-bluf-memo": (1, 1),
    "smart": (1, 1),
    "smart-source-line": (1, 1),
    "long-form": (2, 2),
    "memo": (1, 1),
    "twenty-pages": (20, 20),
}


@pytest.fixture(scope="module")
def page_counts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, int]]:
    folder = tmp_path_factory.mktemp("parity")
    inputs: dict[str, Path] = {
        f"sample-{name}": REPO / "templates" / name / "sample.brief"
        for name in ("smart-brevity", "long-form", "bluf-memo")
    }
    texts = {
        "smart": SMART,
        "smart-source-line": SMART_SOURCE_LINE,
        "long-form": LONG_FORM,
        "memo": MEMO,
        "twenty-pages": twenty_pages(),
    }
    for name, text in texts.items():
        inputs[name] = folder / f"{name}.md"
        inputs[name].write_text(text, encoding="utf-8")
    for name, source in inputs.items():
        for fmt in ("pdf", "docx"):
            err = io.StringIO()
            code = main(
                ["export", str(source), "-o", str(folder / f"{name}.{fmt}")],
                CliContext(paths=Paths.from_env(), stdout=io.StringIO(), stderr=err),
            )
            assert code == 0, err.getvalue()
    laid_out = folder / "lo"
    done = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={(folder / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(laid_out),
            *(str(folder / f"{name}.docx") for name in inputs),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return {
        name: (
            len(PdfReader(str(folder / f"{name}.pdf")).pages),
            len(PdfReader(str(laid_out / f"{name}.pdf")).pages),
        )
        for name in inputs
    }


@pytest.mark.parametrize("name", list(PAGES))
def test_docx_and_pdf_fill_the_same_pages(
    page_counts: dict[str, tuple[int, int]], name: str
) -> None:
    pdf, word = page_counts[name]
    assert abs(pdf - word) <= 1, f"{name}: {pdf} PDF pages against {word} DOCX pages"
    assert (pdf, word) == PAGES[name], "the pages looked at were these; look again if this moved"
