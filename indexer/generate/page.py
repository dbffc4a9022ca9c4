"""One synthetic Atlas page, written as the Atlas writes it, and the record it must parse to.

The page has the real pages' scraping noise (repeated paragraphs, pagination lines, `NA`
cells, shifted cells, `[at]` e-mails, non-breaking spaces); `expected` is what a correct
parse gives (see RECORD.md). The words come from `vocabulary` (the data files).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..synthetic import SYNTHETIC_PREFIX
from . import french
from .draws import choice, pick_cum, randint
from .vocabulary import (
    FORM_CUM,
    FORMS,
    FR_BULLETS,
    FR_FIRST,
    FR_INTRO,
    FR_LAST,
    FUNDERS,
    GEN_CONTEXT,
    GEN_DESC,
    GEN_HISTORY,
    GEN_INTRO,
    GEN_LEAD,
    MISSIONS,
    POOLS,
    ROLES,
    STATUS_CUM,
    STATUSES,
    TEXT,
    THEME_CUM,
    THEME_NAMES,
    THEMES,
    TITLE_TAIL,
    PartnerCountry,
    partner_countries,
)

NBSP = "\u00a0"
HEADER = "Atlas français de la coopération décentralisée et des autres actions extérieures"
PAGINATION = ["<<", "< pagination.page.precedent", "1", "pagination.page.suivant >", ">>"]
NA_CELLS = ("NA", "NA", "na")
VOLUNTEERS_LABEL = (
    "Volontaires impliqués dans le partenariat (VSI, service civique, etc.) "
    "d'Échange et de Solidarité"
)
FUNDING_HEADER = (
    "Nom du financeur | Montant en euros | Montant 1% Eau (Loi 2005) | Montant 1% Eau (Loi 2005) "
    "| Montant 1% Eau (Loi 2005) | Montant 1% Eau (Loi 2005) | Année |"
)


@dataclass
class GeneratedPage:
    id: str
    text: str
    expected: dict[str, Any] = field(default_factory=dict)


def _ascii(s: str) -> str:
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii")


def _slug(s: str, sep: str = "") -> str:
    return re.sub(r"[^a-z0-9]+", sep, _ascii(s).lower()).strip(sep)


def _n_partners(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.58:
        return 1
    if r < 0.78:
        return 2
    if r < 0.88:
        return 3
    if r < 0.96:
        return randint(rng, 4, 6)
    if r < 0.99:
        return randint(rng, 7, 15)
    return randint(rng, 16, 30)


def _year(rng: random.Random) -> int:
    # Skewed to recent years: most reported projects started after 2005.
    return 2025 - int(45.999 * rng.random() ** 2.2)


class _Text:
    """Renders sentence templates for one page and tracks what each field must contain."""

    def __init__(self, rng: random.Random, slots: dict[str, str]) -> None:
        self.rng = rng
        self.slots = slots

    def sentences(self, pool: list[str], k: int, cap: bool = True) -> list[str]:
        k = min(k, len(pool))
        out: list[str] = []
        for tpl in self.rng.sample(pool, k):
            s = self._fill(tpl, cap)
            if s not in out:
                out.append(s)
        return out

    def _fill(self, tpl: str, cap: bool) -> str:
        rng = self.rng
        if "{n" in tpl or "{pct" in tpl:  # draw numbers only for templates that use them
            s = tpl.format(
                n=randint(rng, 2, 40),
                n2=choice(rng, (150, 800, 1200, 2500, 4000, 15000, 35000)),
                pct=randint(rng, 20, 80), **self.slots,
            )
        else:
            s = tpl.format(**self.slots)
        if cap:
            s = s[0].upper() + s[1:]
        if rng.random() < 0.35:  # both apostrophe styles occur in real pages
            s = s.replace("’", "'")
        return s


def _noisy(rng: random.Random, sentence: str) -> str:
    """How a sentence is written in the page: sometimes with NBSP or doubled spaces."""
    r = rng.random()
    if r < 0.04 and " " in sentence:
        i = sentence.find(" ", rng.randrange(len(sentence)))
        if i < 0:
            i = sentence.find(" ")
        return sentence[:i] + NBSP + sentence[i + 1:]
    if r < 0.06 and " " in sentence:
        return sentence.replace(" ", "  ", 1)
    return sentence


def _paragraph_lines(rng: random.Random, sentences: list[str]) -> list[str]:
    """Prose lines (1-4 sentences per paragraph) with the Atlas's repeated-paragraph noise."""
    paras: list[str] = []
    i = 0
    while i < len(sentences):
        k = randint(rng, 1, 4)
        paras.append(" ".join(_noisy(rng, s) for s in sentences[i:i + k]))
        i += k
    r = rng.random()
    if paras and r < 0.15:
        start = rng.randrange(len(paras))
        paras += paras[start:]  # tail repeated verbatim, as in real pages
    elif len(paras) >= 2 and r < 0.25:
        j = rng.randrange(len(paras) - 1)
        paras.append(paras[j] + " " + paras[j + 1])  # two paragraphs repeated on one line
    return paras


def _objective_lines(rng: random.Random, intro: list[str], bullets: list[str]) -> list[str]:
    lines: list[str] = []
    if intro:
        lines.append(" ".join(_noisy(rng, s) for s in intro))
    bullet_lines = []
    for b in bullets:
        end = choice(rng, (".", "", " ;", ""))
        bullet_lines.append(f"- {b}{end}")
    lines += bullet_lines
    if lines and rng.random() < 0.15:
        lines += lines  # whole block repeated
    return lines


def _cells(row: list[str], drop_empty_tail: bool = False) -> str:
    line = " | ".join(row) + " |"
    line = line.replace("  ", " ")  # empty cells are written "| |"
    if drop_empty_tail and line.endswith("| |"):
        line = line[:-2]  # the page's last table row loses its trailing empty cell
    return line


def generate_page(rng: random.Random, index: int) -> GeneratedPage:
    """One synthetic page and the record a correct parser must extract from it."""
    countries, cum = partner_countries()
    page_id = f"{SYNTHETIC_PREFIX}{index:06d}_{rng.getrandbits(32):08x}"
    exp: dict[str, Any] = {"id": page_id}

    # --- partners ------------------------------------------------------------------------
    n_part = _n_partners(rng)
    home = pick_cum(rng, countries, cum)
    partners: list[tuple[str, str, PartnerCountry]] = []  # (authority name, place, country)
    seen_names: list[str] = []
    tries = 0
    while len(partners) < n_part and tries < n_part * 6:
        tries += 1
        c = home if (not partners or rng.random() < 0.55) else pick_cum(rng, countries, cum)
        place = choice(rng, c.places)
        r = rng.random()
        if r < 0.6:
            name = place
        elif r < 0.75:
            name = f"Commune {french.de(place)}".replace("’", "'")
        elif r < 0.85:
            name = f"Ville {french.de(place)}".replace("’", "'")
        else:
            name = f"Région {french.de(place)}".replace("’", "'")
        if name in seen_names:
            continue
        seen_names.append(name)
        partners.append((name, place, c))
    exp["foreign_partners"] = [{"name": n, "country": c.name} for n, _, c in partners]
    first_seen: dict[str, str] = {}
    for _, _, c in partners:
        first_seen.setdefault(c.code, c.name)
    exp["country_codes"] = sorted(first_seen)
    exp["countries"] = [{"code": k, "name": first_seen[k]} for k in sorted(first_seen)]

    n_fr = 1 if rng.random() < 0.85 else randint(rng, 2, 4)
    fr_list: list[tuple[str, str, str]] = []
    while len(fr_list) < n_fr:
        p = french.authority(rng)
        if all(p[0] != q[0] for q in fr_list):
            fr_list.append(p)
    exp["french_partners"] = [p[0] for p in fr_list]

    # --- dates, status, themes ---------------------------------------------------------------
    start = _year(rng)
    sig: int | None = max(1980, start - choice(rng, (0, 0, 0, 1, 1, 2)))
    if rng.random() < 0.1:
        sig = None
    status = pick_cum(rng, STATUSES, STATUS_CUM)
    end_date: str | None = None
    if status == "Terminé" or (status in ("En cours", "Suspendu") and rng.random() < 0.7):
        lo = start + 1
        hi = max(lo, 2025) if status == "Terminé" else max(lo, 2028)
        if status != "Terminé":
            lo = max(lo, 2025)
        y = randint(rng, min(lo, hi), hi)
        d, m = (31, 12) if rng.random() < 0.6 else (randint(rng, 1, 28), randint(rng, 1, 12))
        end_date = f"{y:04d}-{m:02d}-{d:02d}"
    if rng.random() < 0.03:
        status = None
    theme = pick_cum(rng, THEME_NAMES, THEME_CUM)
    sub = choice(rng, list(THEMES[theme]))
    subsubs = THEMES[theme][sub]
    subsub = choice(rng, subsubs) if subsubs and rng.random() < 0.5 else None
    others = []
    for prio in range(1, (choice(rng, (0, 0, 1, 1, 2, 3, 5)) + 1)):
        t = choice(rng, THEME_NAMES)
        s = choice(rng, list(THEMES[t]))
        ss = choice(rng, THEMES[t][s]) if THEMES[t][s] and rng.random() < 0.4 else None
        if rng.random() < 0.04:
            s, ss = None, None
        others.append({"theme": t, "sub_theme": s, "sub_sub_theme": ss, "priority": prio})
    form = pick_cum(rng, FORMS, FORM_CUM)
    if rng.random() < 0.03:
        form = None
    triennial = choice(rng, (True, False, False, None)) if rng.random() < 0.9 else None

    # --- free text ------------------------------------------------------------------------
    fp_name, place, pc = partners[0]
    fr_name, fr_subj, fr_de = fr_list[0]
    slots = {
        "fr": fr_subj, "Fr": fr_subj[0].upper() + fr_subj[1:], "de_fr": fr_de,
        "place": place, "de_place": french.de(place), "a_place": french.at(place),
        "country": pc.name,
        "year": str(start), "year2": str(min(2025, start + randint(rng, 1, 6))),
    }
    tx = _Text(rng, slots)
    tt = TEXT[theme]
    title = tx.sentences(tt["title"], 1)[0]
    if rng.random() < 0.05:
        title = (title + ". " + TITLE_TAIL[0])[: randint(rng, 120, 240)].rstrip()
    exp["title"] = title

    def maybe_empty(p: float, make: Any) -> list[str]:
        return [] if rng.random() < p else make()

    context = maybe_empty(0.1, lambda: tx.sentences(tt["context"], randint(rng, 1, 4))
                         + tx.sentences(GEN_CONTEXT, randint(rng, 0, 6)))
    history = maybe_empty(0.15, lambda: tx.sentences(GEN_HISTORY, randint(rng, 1, 8)))
    desc = maybe_empty(0.08, lambda: tx.sentences(tt["desc"], randint(rng, 1, 5))
                       + tx.sentences(GEN_DESC, randint(rng, 0, 8)))
    loc_intro = tx.sentences(GEN_INTRO, randint(rng, 0, 2))
    loc_bullets = tx.sentences(tt["bullets"], randint(rng, 0, 4), cap=False)
    if loc_bullets:
        loc_intro += tx.sentences(GEN_LEAD, 1)
    elif not loc_intro:
        loc_intro = tx.sentences(GEN_INTRO, 1)
    if rng.random() < 0.1:
        loc_intro, loc_bullets = [], []
    r = rng.random()
    if r < 0.2:  # the France part often copies the local one, as in real pages
        fr_intro, fr_bullets = list(loc_intro), list(loc_bullets)
    elif r < 0.45:
        fr_intro, fr_bullets = [], []
    else:
        fr_intro = tx.sentences(FR_INTRO, 1)
        fr_bullets = tx.sentences(FR_BULLETS, randint(rng, 1, 4), cap=False)
    exp["context"] = context
    exp["history"] = history
    exp["description"] = desc
    exp["objectives_local"] = loc_intro + loc_bullets
    exp["objectives_france"] = fr_intro + fr_bullets

    # --- page -----------------------------------------------------------------------------
    L: list[str] = [HEADER]
    embassies = []
    posts: list[str] = []
    for _, _, c in partners:
        if c.capital and c.capital not in posts:
            posts.append(c.capital)
    if rng.random() < 0.3:
        posts = []
    rng.shuffle(posts)
    for cap in posts[:4]:
        post = f"Ambassade de France à {cap}"
        L.append(f'Contacts dans le poste diplomatique "{post}"')
        person: dict[str, str] | None = None
        if rng.random() < 0.45:
            first, last = choice(rng, FR_FIRST), choice(rng, FR_LAST)
            person = {"name": f"{first} {last.upper()}",
                      "email": f"{_slug(first, '-')}.{_slug(last, '-')}@diplomatie.gouv.fr"}
            L += ["Correspondant coopération décentralisée", person["name"], "Courriel :",
                  person["email"].replace("@", "[at]")]
        else:
            L.append("Pas de correspondant coopération décentralisée")
        counsellor = person if (person and rng.random() < 0.5) else None
        if counsellor is None and rng.random() < 0.3:
            first, last = choice(rng, FR_FIRST), choice(rng, FR_LAST)
            counsellor = {"name": f"{first} {last.upper()}",
                          "email": f"{_slug(first, '-')}.{_slug(last, '-')}@diplomatie.gouv.fr"}
        if counsellor:
            L += ["Conseiller de coopération et d'action culturelle", counsellor["name"],
                  "Courriel :", counsellor["email"].replace("@", "[at]")]
        else:
            line = "Pas de conseiller de coopération et d'action culturelle"
            L += [line, line] if rng.random() < 0.6 else [line]
        embassies.append({"post": post, "decentralised_cooperation_correspondent": person,
                          "cooperation_cultural_counsellor": counsellor})
    exp["embassy_contacts"] = embassies

    L += ["Titre", title, "Année de signature de la convention"]
    if sig is not None:
        L.append(str(sig))
    L += ["Thématique d'intervention", theme, "Sous-thématique d'intervention", sub,
          "Sous-sous-thématique d'intervention"]
    if subsub:
        L.append(subsub)
    L.append("Autres thématiques mises en œuvre pour le partenariat")
    if others or rng.random() < 0.5:
        L += ["Thématique éligible | Sous-thématique | Sous-sous-thématique | Priorité |",
              "---|---|---|---|"]
        drop = rng.random() < 0.7
        for i, o in enumerate(others):
            cells = [o["theme"]] + [x for x in (o["sub_theme"], o["sub_sub_theme"]) if x]
            cells.append(str(o["priority"]))  # shifted left when columns are empty
            cells += [""] * (4 - len(cells))
            L.append(_cells(cells, drop_empty_tail=drop and i == len(others) - 1))
    if rng.random() < 0.9:
        L += PAGINATION
    L.append("Année de début du partenariat")
    L.append(str(start))
    if status:
        L += ["Le partenariat est :", status]
    L.append("Date de fin du partenariat")
    if end_date:
        y, m, d = end_date.split("-")
        L.append(f"{d}/{m}/{y}")
    L.append("Contexte")
    L += _paragraph_lines(rng, context)
    L.append("Historique")
    L += _paragraph_lines(rng, history)
    L.append("Objectif du partenariat")
    if loc_intro or loc_bullets or rng.random() < 0.5:
        L.append("Objectifs locaux :")
        L += _objective_lines(rng, loc_intro, loc_bullets)
    if fr_intro or fr_bullets or rng.random() < 0.5:
        L.append("Objectifs en France :")
        L += _objective_lines(rng, fr_intro, fr_bullets)
    L.append("Description détaillée du partenariat")
    L += _paragraph_lines(rng, desc)
    L.append("Votre partenariat prend la forme d'un(e)")
    if form:
        L.append(form)
    exp.update(theme=theme, sub_theme=sub, sub_sub_theme=subsub, other_themes=others,
               signature_year=sig, start_year=start, status=status, end_date=end_date,
               partnership_form=form, triennial=triennial)

    L += ["Partenaires étrangers du partenariat", "Nom de la collectivité étrangère | Pays | |",
          "---|---|---|"]
    L += [f"{n} | {c.name} | ![]() |" for n, _, c in partners]

    contacts = []
    for n, place_, c in partners:
        if rng.random() < 0.35:
            continue
        first_pool, last_pool = POOLS.get(c.pool, POOLS["gen"])
        first: str | None = choice(rng, first_pool)
        last: str | None = choice(rng, last_pool)
        role: str | None = choice(rng, ROLES)
        tld = {"GB": "gov.uk", "US": "gov"}.get(c.code, c.code.lower())
        email: str | None = (f"{_slug(first or '')}.{_slug(last or '')}@{_slug(place_)}.{tld}"
                             if rng.random() < 0.8 else f"mairie{_slug(place_)}@gmail.com")
        r = rng.random()
        if r < 0.15:
            first = last = None
        elif r < 0.2:
            first = None
        if rng.random() < 0.15:
            role = None
        if rng.random() < 0.05:
            email = None
        contacts.append({"authority": n, "last_name": last, "first_name": first, "role": role,
                         "email": email})
    exp["foreign_contacts"] = contacts
    if contacts or rng.random() < 0.7:
        L += ["Contacts dans les partenaires étrangers du partenariat",
              "Nom de la collectivité étrangère | Nom | Prénom | Fonction | Courriel |",
              "---|---|---|---|---|"]
        na = choice(rng, NA_CELLS)
        for ct in contacts:
            cells = [ct["authority"]] + [
                v if v is not None else na
                for v in (ct["last_name"], ct["first_name"], ct["role"], ct["email"])
            ]
            L.append(_cells(cells))

    L += ["Collectivités territoriales partenaires du partenariat",
          "Nom de la collectivité territoriale | |", "---|---|"]
    L += [f"{p[0]} | ![]() |" for p in fr_list]
    if triennial is True:
        L.append("Le partenariat est triennal")
    elif triennial is False:
        L.append("Le partenariat n'est pas triennal")

    funding = []
    n_fund = choice(rng, (0, 1, 2, 2, 3, 3, 4, 5, 6, 8)) if rng.random() < 0.97 \
        else randint(rng, 10, 30)
    funders = [p[0] for p in fr_list] + rng.sample(FUNDERS, 4)
    f_end = int(end_date[:4]) if end_date else min(2025, start + 3)
    for _ in range(n_fund):
        if funding and rng.random() < 0.08:
            funding.append(dict(funding[-1]))  # identical rows happen in real pages
            continue
        funder = funders[0] if rng.random() < 0.45 else choice(rng, funders)
        amount = int(10 ** rng.uniform(2.3, 5.6))
        funding.append({"funder": funder, "amount_eur": amount,
                        "year": randint(rng, start, max(start, f_end))})
    exp["funding"] = funding
    exp["funding_total_eur"] = sum(f["amount_eur"] for f in funding)
    L += ["Financement du partenariat", FUNDING_HEADER, "---|---|---|---|---|---|---|"]
    for i, f in enumerate(funding):
        row = f"{f['funder']} | {f['amount_eur']} | {f['year']} |"
        L.append(row if i == len(funding) - 1 else row + " ||||")

    volunteers = []
    if rng.random() < 0.12:
        for _ in range(randint(rng, 1, 3)):
            volunteers.append({
                "last_name": choice(rng, FR_LAST), "first_name": choice(rng, FR_FIRST),
                "mission": choice(rng, MISSIONS), "field": theme,
                "assigned_to": choice(rng, [fp_name, fr_name]),
            })
    exp["volunteers"] = volunteers
    if volunteers or rng.random() < 0.85:
        L += [VOLUNTEERS_LABEL, "Nom | Prénom | Mission | Champs d'action | Entité d'affectation |"]
        if volunteers:
            L.append("---|---|---|---|---|")
            L += [_cells([v["last_name"], v["first_name"], v["mission"], v["field"],
                          v["assigned_to"]]) for v in volunteers]
        else:
            L.append("---|")
    return GeneratedPage(id=page_id, text="\n".join(L), expected=exp)
