# ruff: noqa: E501, RUF001
"""Build the labelled seed corpus that the shipped default spam model is trained on.

Every text fragment in this file was written by hand for this project; nothing is
copied from a public dataset.  The generator combines the fragments with a fixed
random seed, so running it again yields a byte-identical ``seed_corpus.jsonl``::

    python classifier/data/make_seed_corpus.py            # writes seed_corpus.jsonl
    python classifier/data/make_seed_corpus.py --check    # exits 1 if the file is stale

Ham is readers discussing an article; spam is what comment forms attract (SEO
links, pharma, crypto and loan scams, channel promotion, adult, phishing,
giveaways, essay mills, casinos, spell casters), including obfuscated variants.
Obfuscation characters (zero-width, full-width, Cyrillic homoglyphs) are produced
by functions below rather than typed, so the source stays readable.

Care is taken not to hand the model trivial shortcuts: names, e-mail domains,
``author_url`` presence, article URLs, length, case, emoji and language are drawn
from pools shared by both labels (with different but overlapping rates).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

SEED = 20260301
TARGET_PER_LABEL = 780
OUT_PATH = Path(__file__).with_name("seed_corpus.jsonl")
KEYS = ("content", "author_name", "author_email", "author_url", "post_url", "label", "lang")

Comment = dict[str, str]


def _lines(block: str) -> list[str]:
    """One entry per non-empty line; `` || `` inside a line marks a paragraph break."""
    out: list[str] = []
    for raw in block.strip().splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append(line.replace(" || ", "\n\n"))
    return out


# ---------------------------------------------------------------------------
# Sites and articles.  Both labels are posted on the same articles.
# ---------------------------------------------------------------------------

SITES: dict[str, list[str]] = {
    "en": [
        "https://www.example-news.com",
        "https://dailyexample.org",
        "https://www.example-herald.co.uk",
        "https://blog.example.net",
        "https://forum.example.org/t",
        "https://www.example-sport.com",
        "https://techreview.example.com",
        "https://www.example-kitchen.com/blog",
    ],
    "de": [
        "https://www.nachrichten.example.de",
        "https://blog.example.at",
        "https://forum.example.ch",
    ],
    "fr": ["https://www.journal.example.fr", "https://blog.example.be"],
    "es": ["https://www.diario.example.es", "https://noticias.example.com.mx"],
    "pt": ["https://noticias.example.com.br", "https://www.jornal.example.pt"],
    "it": ["https://www.giornale.example.it"],
    "nl": ["https://www.nieuws.example.nl", "https://blog.example.be/nl"],
    "pl": ["https://wiadomosci.example.pl"],
    "tr": ["https://www.haber.example.com.tr"],
    "sv": ["https://www.nyheter.example.se"],
    "ru": ["https://novosti.example.ru"],
}

EN_NICHE: dict[str, list[str]] = {
    "sport": ["https://www.example-sport.com"],
    "tech": ["https://techreview.example.com"],
    "science": ["https://techreview.example.com"],
    "food": ["https://www.example-kitchen.com/blog"],
}
SITES["en"] = SITES["en"][:5]

SLUGS: dict[str, dict[str, list[str]]] = {
    "en": {
        "politics": [
            "city-council-budget",
            "election-turnout-record",
            "new-housing-bill-vote",
            "mayor-resigns-after-audit",
            "tax-reform-explained",
            "parliament-debates-speed-limits",
        ],
        "local": [
            "bridge-closure-roadworks",
            "library-opening-hours-cut",
            "new-bike-lanes-downtown",
            "school-merger-plan",
            "flooding-river-district",
            "bus-route-12-scrapped",
        ],
        "sport": [
            "derby-ends-in-draw",
            "marathon-results",
            "coach-sacked-after-losing-streak",
            "womens-cup-final-preview",
            "transfer-window-roundup",
            "tennis-open-upset",
        ],
        "science": [
            "comet-visible-this-week",
            "new-battery-chemistry",
            "bird-migration-study",
            "deep-sea-species-found",
            "climate-report-summary",
            "mars-sample-mission-delay",
        ],
        "tech": [
            "phone-review-battery-life",
            "password-manager-breach",
            "open-source-office-suite",
            "ai-chatbot-in-schools",
            "broadband-rollout-rural",
            "laptop-repairability-scores",
        ],
        "food": [
            "easy-lentil-soup",
            "sourdough-for-beginners",
            "best-banana-bread",
            "one-pot-chicken-rice",
            "vegan-chocolate-cake",
            "homemade-pasta-guide",
        ],
        "travel": [
            "lisbon-weekend-guide",
            "night-trains-return",
            "hiking-the-highlands",
            "budget-tips-japan",
            "airport-strike-delays",
            "camping-with-kids",
        ],
        "music": [
            "album-review-new-record",
            "festival-lineup-announced",
            "vinyl-sales-rise",
            "local-band-profile",
            "concert-ticket-prices",
            "orchestra-funding-cut",
        ],
        "film": [
            "film-review-sci-fi-sequel",
            "oscars-predictions",
            "streaming-series-finale",
            "documentary-review-ocean",
            "cinema-closing-after-60-years",
            "horror-film-review",
        ],
        "health": [
            "flu-vaccine-autumn-campaign",
            "hospital-waiting-times",
            "new-diabetes-drug-approved",
            "sleep-and-screen-time-study",
            "measles-cases-rise",
            "gp-appointments-shortage",
        ],
        "finance": [
            "interest-rates-held",
            "mortgage-rates-explained",
            "inflation-falls-to-3-percent",
            "bitcoin-price-swings",
            "pension-changes-2026",
            "student-loan-repayment-rules",
        ],
    },
    "de": {
        "politics": ["haushalt-stadtrat", "wahlbeteiligung-rekord", "mietpreisbremse-verlaengert"],
        "local": ["baustelle-bruecke-gesperrt", "neue-radwege-innenstadt", "schwimmbad-schliesst"],
        "sport": ["derby-unentschieden", "trainer-entlassen", "stadtlauf-ergebnisse"],
        "tech": ["smartphone-test-akku", "glasfaser-ausbau-land"],
        "health": ["grippeimpfung-herbst", "hausarztmangel"],
        "finance": ["leitzins-unveraendert", "rente-reform-2026"],
        "food": ["linsensuppe-rezept", "sauerteig-anfaenger"],
    },
    "fr": {
        "politics": ["budget-conseil-municipal", "reforme-retraites-debat"],
        "local": ["travaux-pont-ferme", "pistes-cyclables-centre-ville"],
        "sport": ["match-nul-derby", "marathon-resultats"],
        "film": ["critique-film-science-fiction", "festival-cinema-palmares"],
        "health": ["vaccin-grippe-campagne", "deserts-medicaux"],
        "food": ["recette-soupe-lentilles", "tarte-aux-pommes-facile"],
        "finance": ["taux-immobiliers-baisse", "inflation-ralentit"],
    },
    "es": {
        "politics": ["presupuesto-ayuntamiento", "elecciones-participacion"],
        "local": ["obras-puente-cortado", "nuevo-carril-bici"],
        "sport": ["derbi-empate", "entrenador-destituido"],
        "travel": ["fin-de-semana-lisboa", "trenes-nocturnos-vuelven"],
        "health": ["vacuna-gripe-otono", "listas-espera-hospital"],
        "food": ["receta-lentejas", "tortilla-de-patatas"],
        "finance": ["euribor-hipotecas", "inflacion-baja"],
    },
    "pt": {
        "politics": ["orcamento-camara-municipal", "eleicoes-participacao"],
        "sport": ["classico-empate", "treinador-demitido"],
        "local": ["obras-ponte-fechada", "ciclovias-centro"],
        "health": ["vacina-gripe-campanha", "filas-sus"],
        "food": ["receita-feijoada", "bolo-de-cenoura"],
        "finance": ["taxa-selic-mantida", "juros-credito-habitacao"],
    },
    "it": {
        "politics": ["bilancio-comunale", "legge-elettorale"],
        "sport": ["derby-pareggio", "allenatore-esonerato"],
        "food": ["ricetta-carbonara", "pane-fatto-in-casa"],
        "travel": ["weekend-a-lisbona", "treni-notte"],
        "health": ["vaccino-antinfluenzale", "liste-di-attesa"],
    },
    "nl": {
        "politics": ["gemeentebegroting", "woningwet-stemming"],
        "local": ["brug-afgesloten-werkzaamheden", "nieuwe-fietspaden"],
        "sport": ["derby-gelijkspel", "trainer-ontslagen"],
        "finance": ["hypotheekrente-stijgt", "inflatie-daalt"],
        "health": ["griepprik-najaar", "wachtlijsten-zorg"],
    },
    "pl": {
        "politics": ["budzet-rady-miasta", "frekwencja-wyborcza"],
        "sport": ["derby-remis", "trener-zwolniony"],
        "local": ["remont-mostu", "nowe-sciezki-rowerowe"],
        "health": ["szczepienia-grypa", "kolejki-do-lekarzy"],
        "finance": ["stopy-procentowe-bez-zmian", "inflacja-spada"],
    },
    "tr": {
        "politics": ["belediye-butcesi", "secim-katilimi"],
        "sport": ["derbi-beraberlik", "teknik-direktor-gorevden-alindi"],
        "finance": ["faiz-karari", "enflasyon-raporu"],
        "food": ["mercimek-corbasi-tarifi"],
    },
    "sv": {
        "politics": ["kommunens-budget"],
        "sport": ["derbyt-slutade-oavgjort"],
        "local": ["bron-stangd-for-reparation"],
    },
    "ru": {
        "local": ["remont-mosta"],
        "sport": ["derbi-nichya"],
        "tech": ["obzor-smartfona"],
    },
}


@dataclass(frozen=True)
class Article:
    url: str
    lang: str
    topic: str


def build_articles(rng: random.Random) -> list[Article]:
    articles: list[Article] = []
    for lang, topics in SLUGS.items():
        for topic, slugs in topics.items():
            for slug in slugs:
                sites = SITES[lang]
                if lang == "en":
                    # General news sites carry everything; niche sites their own topic.
                    niche = EN_NICHE.get(topic, [])
                    sites = [*sites[:5], *niche, *niche]
                site = rng.choice(sites)
                year = rng.choice(["2025", "2026", "2026"])
                month = f"{rng.randint(1, 12):02d}"
                shape = rng.random()
                if site.endswith("/t"):
                    url = f"{site}/{slug}/{rng.randint(1000, 99999)}"
                elif shape < 0.6:
                    url = f"{site}/{year}/{month}/{slug}"
                elif shape < 0.8:
                    url = f"{site}/{topic}/{slug}"
                else:
                    url = f"{site}/{slug}-{rng.randint(10000, 999999)}.html"
                articles.append(Article(url, lang, topic))
    return articles


# ---------------------------------------------------------------------------
# People: names, e-mail addresses and homepages, shared by both labels.
# ---------------------------------------------------------------------------

FIRST: dict[str, list[str]] = {
    "en": "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph Jessica Thomas Sarah Chris Karen Daniel Nancy Matthew Lisa Anthony Betty Mark Sandra Paul Ashley Steven Emily Andrew Donna Kevin Michelle Brian Carol George Amanda Ed Dorothy Tim Melissa Ryan Deborah Jacob Rebecca Gary Laura Nick Sharon Eric Cynthia Jon Kathleen Stephen Amy Larry Angela Justin Helen Scott Anna Brandon Brenda Ben Pamela Sam Nicole Greg Emma Alex Samantha Frank Katherine Ray Christine Pat Debra Jack Rachel Dennis Carolyn Jerry Janet Tyler Maria Aaron Olivia Jose Heather Adam Priya Raj Wei Mei Kwame Amara Tunde Fatima Omar Aisha Liam Niamh Siobhan Connor Dylan Megan".split(),
    "de": "Lukas Anna Jonas Lea Felix Hannah Maximilian Lena Paul Laura Tobias Julia Stefan Sabine Jürgen Ursula Klaus Monika Andreas Petra Michael Katrin Florian Johanna Matthias Claudia Uwe Birgit Sebastian Franziska".split(),
    "fr": "Jean Marie Pierre Camille Nicolas Julie Thomas Léa Antoine Chloé Julien Manon François Isabelle Sébastien Nathalie Olivier Sophie Mathieu Aurélie Hugo Emma Guillaume Céline".split(),
    "es": "Alejandro Lucía Javier María Carlos Carmen Pablo Laura Diego Sofía Miguel Elena Jorge Paula Sergio Marta Andrés Ana Raúl Cristina Fernando Isabel Luis Valeria".split(),
    "pt": "João Ana Pedro Mariana Lucas Beatriz Gabriel Juliana Rafael Fernanda Tiago Inês Rodrigo Carla Bruno Patrícia Diogo Sofia Marcelo Camila".split(),
    "it": "Marco Giulia Luca Francesca Alessandro Chiara Andrea Sara Matteo Valentina Giuseppe Elena Davide Martina Stefano Federica Paolo Silvia".split(),
    "nl": "Daan Sanne Bram Lotte Sem Fleur Jeroen Anouk Thijs Eva Pieter Femke Ruben Iris Joost Marieke Wouter Sophie".split(),
    "pl": "Jakub Anna Kacper Zuzanna Piotr Katarzyna Tomasz Magdalena Paweł Agnieszka Michał Ewa Krzysztof Joanna Marcin Małgorzata".split(),
    "tr": "Mehmet Ayşe Mustafa Fatma Emre Zeynep Burak Elif Can Merve Murat Selin Kerem Deniz".split(),
    "sv": "Erik Anna Lars Karin Johan Emma Oskar Maja Nils Sara".split(),
    "ru": "Alexei Olga Dmitri Irina Sergei Natalia Ivan Elena Pavel Tatiana".split(),
}
LAST: dict[str, list[str]] = {
    "en": "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson Thompson White Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans Edwards Collins Stewart Murphy Cook Rogers Morgan Cooper Reed Bailey Bell Kelly Howard Ward Cox Patel Khan Chen Nguyen Okafor Mensah O'Brien McCarthy Hughes Price Fraser".split(),
    "de": "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf Schröder Neumann Braun Zimmermann Krüger Hartmann".split(),
    "fr": "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia Fournier Girard Bonnet".split(),
    "es": "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz Hernández Díaz Moreno Álvarez Romero Navarro".split(),
    "pt": "Silva Santos Oliveira Souza Pereira Costa Rodrigues Almeida Nascimento Ferreira Carvalho Gomes Lopes Ribeiro Martins Rocha".split(),
    "it": "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti DeLuca Mancini Costa".split(),
    "nl": "de Jong,Jansen,de Vries,van den Berg,van Dijk,Bakker,Visser,Smit,Meijer,de Boer,Mulder,de Groot,Bos,Vos,Peters,Hendriks".split(
        ","
    ),
    "pl": "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski Kozłowski".split(),
    "tr": "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan".split(),
    "sv": "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson".split(),
    "ru": "Ivanov Smirnova Kuznetsov Popova Volkov Sokolova Morozov Lebedeva".split(),
}
HANDLE_WORDS = "old reader night owl river fox blue cat grumpy sailor tea lover bike dad quiet voice north wind local guy mum of3 skeptic truth seeker green thumb coffee addict cyclist retired teacher".split()
MAIL_DOMAINS = [
    "example.com",
    "example.com",
    "example.org",
    "example.net",
    "mail.example.net",
    "mail.example.com",
    "inbox.example",
    "post.example",
    "webmail.example.org",
    "mailbox.example",
    "freemail.example",
    "quickmail.test",
    "netpost.example",
    "correo.example",
    "posteo.example",
    "gmx.example",
    "libero.example",
    "wp.example",
    "orange.example",
    "uni.example.edu",
    "company.example",
    "yandex.example",
    "mailnow.test",
    "inbox-ru.example",
]
SPAMMY_MAIL_DOMAINS = [
    "tempbox.example",
    "promo-mail.example",
    "seo-agency.example",
    "fastcash.example",
    "bulkmail.example",
]


def _ascii(text: str) -> str:
    text = text.lower().replace("ß", "ss").replace("ł", "l").replace("ı", "i").replace("'", "")
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and (c.isalnum() or c == "-"))


def person(rng: random.Random, lang: str) -> tuple[str, str, str]:
    """A (name, local part of an e-mail, homepage slug) triple for a commenter."""
    name_lang = lang if lang in FIRST and rng.random() < 0.85 else rng.choice(list(FIRST))
    first = rng.choice(FIRST[name_lang])
    last = rng.choice(LAST[name_lang])
    fa, la = _ascii(first), _ascii(last)
    r = rng.random()
    if r < 0.45:
        name = f"{first} {last}"
    elif r < 0.6:
        name = first
    elif r < 0.7:
        name = f"{first} {last[0]}."
    elif r < 0.78:
        name = first.lower()
    else:
        w1, w2 = rng.sample(HANDLE_WORDS, 2)
        name = rng.choice(
            [
                f"{w1}_{w2}",
                f"{w1}{w2}{rng.randint(1, 99)}",
                f"{fa}{rng.randint(60, 2005)}",
                f"{w1.capitalize()} {w2.capitalize()}",
                f"{fa}_{la}",
            ]
        )
    local = rng.choice(
        [
            f"{fa}.{la}",
            f"{fa}{la}",
            f"{fa[0]}{la}",
            f"{fa}{rng.randint(1, 99)}",
            f"{fa}_{la}{rng.randint(70, 99)}",
            f"{la}.{fa}",
        ]
    )
    return name, local, rng.choice([f"{fa}{la}", f"{fa}-{la}", f"{la}{fa[0]}"])


def ham_author(rng: random.Random, lang: str) -> tuple[str, str, str]:
    name, local, slug = person(rng, lang)
    email = "" if rng.random() < 0.06 else f"{local}@{rng.choice(MAIL_DOMAINS)}"
    url = ""
    if rng.random() < 0.16:
        url = rng.choice(
            [
                f"https://{slug}.blog.example",
                f"https://www.{slug}.example.com",
                f"https://example.org/~{slug}",
                f"https://mastodon.example/@{slug}",
                f"http://{slug}.example.net/",
                f"https://www.example-photos.com/{slug}",
            ]
        )
    return name, email, url


# ---------------------------------------------------------------------------
# Ham text: hand-written fragments per language and topic.
# ---------------------------------------------------------------------------

EN_SHORT = _lines("""
Great piece, thanks.
Thanks for writing this.
Good article.
Well said.
This.
Agreed.
Totally agree with this
I disagree, but interesting read.
Spot on!
Finally someone says it.
Really helpful, thank you!
Nonsense.
What a load of rubbish.
Great read
Brilliant reporting as always.
Excellent summary, bookmarked.
Sad news. Thoughts with the families.
Congratulations to all involved!
Long overdue.
About time!!
Not convinced.
Source?
Interesting, I didn't know that.
Nice one 👍
Love this 😊
lol
haha this made my day
So true.
+1
Couldn't agree more.
Great photos in this one.
Very informative, thanks for the explainer.
Terrible decision.
Who approved this?
This is why I still pay for local journalism.
Can't wait!
Shame.
Good to see some balanced coverage for once.
Typo in the third paragraph: "there" should be "their".
Headline is misleading, the article says something different.
Thanks, this answered my question.
Such a lovely story ❤️
Wow.
Meh.
I was there! Great atmosphere.
Same here.
First time commenting, long time reader. Great work.
Well researched. Thank you.
ugh, again?
Happy to see this finally happening.
""")

EN_OPEN = _lines("""
Interesting article.
Good piece, but one thing bothers me.
I have to disagree here.
Thanks for covering this.
As someone who lives nearby,
Speaking as a nurse,
Speaking as a teacher,
I've been following this story for months.
Honestly?
Not sure I agree with the framing.
Long comment, sorry.
Quick correction:
Genuine question:
Great write-up.
I read this twice and I'm still confused.
Fair article overall.
""")

EN_CLOSE = _lines("""
Just my two cents.
Anyway, thanks for the article.
Would love a follow-up on this.
Happy to be corrected if I'm wrong.
We'll see.
Rant over.
Thanks for reading my ramble.
Keep up the good work.
Does anyone know more?
Time will tell.
Please keep reporting on this.
Cheers.
Just saying.
""")

EN_REPLY = _lines("""
I think you missed the point of the article.
fair point, but the numbers say otherwise.
exactly what I was going to say.
that's not what the article says though.
you're right, I stand corrected.
have you actually read past the headline?
I had the same experience last year.
do you have a source for that?
agree 100%.
not true, the vote was last Tuesday, not Monday.
thanks for the link, very useful.
calm down, it's a news article, not a conspiracy.
respectfully, you're wrong about this.
this is the best comment here.
""")

EN_TOPIC: dict[str, list[str]] = {
    "politics": _lines("""
The council spent two years on this budget and still managed to cut the one thing people actually use.
If turnout really was a record, why does every councillor act like nobody voted?
I voted for them last time and I won't make that mistake again.
The opposition had no better plan, let's be honest.
Raising council tax by 5% while closing libraries is not what anyone voted for.
The article should mention that the same plan was rejected in 2019.
Where does the money for the new town hall come from? Nobody has answered that.
Politicians from every party have been kicking this can down the road for a decade.
I actually think the mayor did the right thing by stepping down.
Read the audit report yourself, it's public and only 40 pages.
Housing is the single biggest issue for anyone under 35 here and this bill barely touches it.
People complaining about the speed limits have clearly never lived on a main road with kids.
The tax changes mostly help people who are already comfortable. That's just arithmetic.
I'd like to see the full voting record of our local MP on this.
The government statistics are here if anyone wants to check: https://www.ons.gov.uk/economy/inflationandpriceindices
Both sides are using the same numbers to argue opposite things, which tells you something.
It's easy to blame the council, but central government cut their funding by a third.
My street has been waiting for a pedestrian crossing since 2017.
They held a "consultation" where the decision had clearly already been made.
I'm no fan of this government but this particular policy makes sense.
This is a local democracy issue, not a left vs right one.
Honestly the article is pretty one-sided, you only quoted the council leader.
"""),
    "local": _lines("""
The bridge closure adds 25 minutes to my commute each way and there's no proper diversion signposted.
The bike lanes are great, I cycle to work now and feel much safer.
Those new bike lanes have made the traffic on the high street twice as bad.
The library is the only warm place some people have during the day. Cutting hours is cruel.
The river flooded our basement in 2021 and the flood defences promised then still aren't built.
Does anyone know if the number 12 is being replaced by anything?
My kids go to one of the schools in the merger plan and parents were told nothing until this article.
The roadworks sign says finished in March. Which March, though?
Great to see the old cinema building finally being used again.
Parking on the pavement is the real problem on our road, not the bikes.
We had a public meeting about this in the church hall, about 200 people came.
I remember when this area had three bus routes. Now we have one, every hour if you're lucky.
Well done to the volunteers who cleaned up after the flood, they were amazing.
The council's map in the article is out of date, the lane on Mill Street was removed.
Honestly this town needs a proper cinema more than another coffee shop.
Anyone know who to contact about the potholes on Station Road?
"""),
    "sport": _lines("""
A draw was a fair result, neither side deserved to win that.
The referee had a shocker in the second half, that penalty was never a penalty.
Sacking the coach after six games is ridiculous, give him a full season.
About time he went. We've been playing the same boring football for two years.
The women's final is going to be the match of the year, I've got my tickets already.
Our midfield can't pass the ball ten yards. That's the whole problem.
Ran the marathon for the first time, finished in 4:38 and could barely walk the next day. Worth it!
The transfer fees these days are obscene.
What a comeback in the third set, I was screaming at the telly.
We need a proper striker, not another winger.
Twenty years supporting this club and I've never seen a defence this bad.
Congrats to all the runners, the organisation was fantastic this year.
VAR has ruined the game. Nobody celebrates a goal anymore.
That young keeper is going to be special, mark my words.
Small correction: it was his fourth goal of the season, not his third.
The away fans were brilliant, you could hear them the whole game.
"""),
    "science": _lines("""
Saw the comet last night from the hill behind our house, just about visible with binoculars.
Is the new battery chemistry actually going to reach consumer products or is this another lab-only breakthrough?
The study only had 40 birds tagged, so I'd be careful with the conclusions.
It's amazing how much of the deep sea is still unexplored.
The climate report summary is good, but the full report is worth reading too: https://www.ipcc.ch/reports/
Every year there's a battery breakthrough and my phone still dies by 6pm.
Can someone explain why sodium instead of lithium matters? Genuine question.
Peer review hasn't finished on this one, the article should say so.
My daughter is obsessed with space and we read this together, thank you!
Delays on Mars missions happen all the time, space is hard.
Wikipedia has a decent background page on this: https://en.wikipedia.org/wiki/Sodium-ion_battery
The headline says "proves" but the paper says "suggests". Big difference.
Fascinating. I had no idea migrating birds could sleep while flying.
"""),
    "tech": _lines("""
I've had this phone for three months and the battery easily lasts two days.
The battery test in this review doesn't match my experience at all, mine barely makes it through a day.
Change your passwords and turn on two-factor authentication, people. It takes five minutes.
Switched to the open source office suite at work last year, nobody noticed the difference.
Teachers were not asked before this chatbot was rolled out in schools. That is the real story.
Rural broadband in our village is still 4 Mbps on a good day.
Repairability scores should be mandatory on every laptop box.
Check out the manufacturer's security advisory, it has more detail than this article.
Does the breach affect people who only used the browser extension?
I watched the launch video on their channel and the demo was clearly staged.
As a developer I'd like to point out that end-to-end encryption does not mean what the article implies.
If the battery can't be replaced, it's not a laptop, it's a disposable.
Honestly AI in schools could be useful if it's used to explain, not to do the homework.
Fibre was promised here in 2020. Still waiting.
You can check whether your email was in the breach on haveibeenpwned.com.
"""),
    "food": _lines("""
Made the lentil soup tonight, added a bit of smoked paprika and it was lovely.
How long does the starter need before it's ready to bake with?
I swapped the butter for olive oil and it still worked great.
Mine came out really dense, did I do something wrong?
Is it possible to freeze this?
The banana bread was a hit with my kids, thank you!
Can I use gluten-free flour for this?
Made this for a dinner party, everyone asked for the recipe.
Way too much salt in this recipe, I'd halve it.
Tip: toast the spices first, it makes a huge difference.
My grandmother made something very similar but with a bit of cinnamon.
The cake was delicious but needed 10 more minutes in my oven.
What size tin did you use? The recipe doesn't say.
Tried it with coconut milk instead of cream, really good.
Thanks for including metric measurements!
I've watched a few videos on sourdough and this is the clearest explanation I've found.
"""),
    "travel": _lines("""
Lisbon is lovely but wear good shoes, those hills are no joke.
Took the night train to Vienna last month, slept surprisingly well.
The highlands in October were wet, cold and absolutely beautiful.
Japan is much cheaper than people think if you avoid the big hotels.
Our flight was cancelled because of the strike and the airline still hasn't refunded us.
Camping with toddlers is an adventure. Bring twice as many socks as you think.
The tram 28 tip is outdated, the queues are huge now. Walk instead.
Does the rail pass still cover the express trains?
We did this route with a 7 year old and she loved it.
Please don't recommend that viewpoint, it's already overrun with tourists.
Travel insurance saved us when our bags were lost. Read the small print though.
Any tips for travelling there with a wheelchair?
"""),
    "music": _lines("""
The new album grows on you. First listen I hated it, by the third I was hooked.
The lineup is weaker than last year, I'm skipping it this time.
I still buy vinyl, nothing beats putting a record on.
Saw them live in a tiny pub in 2019, glad they're finally getting attention.
Ticket prices are out of control. 180 for standing?
Cutting orchestra funding is short-sighted, music education matters.
Track 4 is the best thing they've ever done.
The review is way too harsh, this is their most honest record.
Does anyone know if there will be a second date added?
Their older stuff was better, but I'm happy they're experimenting.
Went to the festival last year and the sound was awful near the main stage.
I found them through a friend's playlist and now I listen every day.
"""),
    "film": _lines("""
The sequel was better than the original, which almost never happens.
Two and a half hours was too long, the middle section really dragged.
The reviewer clearly didn't watch the first film.
Spoiler alert please!! The review gives away the ending.
The finale was rushed, they needed one more episode.
The ocean documentary is stunning, watch it on the biggest screen you can.
Sad to see the cinema close, I saw my first film there in 1985.
The horror was more funny than scary, but I had a great time.
My predictions: best picture goes to the quiet one, not the blockbuster.
The soundtrack alone is worth the ticket.
Four stars is generous. Three at most.
The book is much better, as usual.
"""),
    "health": _lines("""
Got my flu jab at the pharmacy yesterday, took five minutes and it was free.
Is the flu vaccine safe during pregnancy? My GP said yes but I'd like to read more.
The NHS page explains who is eligible: https://www.nhs.uk/vaccinations/flu-vaccine/
Waiting times are a scandal. My dad waited 14 hours in A&E last month.
The new diabetes drug sounds promising but the price will keep it out of reach for many.
I'm a GP receptionist and we get abused daily because there are simply not enough appointments.
The sleep study doesn't control for anything, so I'd take it with a pinch of salt.
Measles is completely preventable. Please vaccinate your kids.
I had a side effect from the medication mentioned (dizziness) but it passed after a week.
Can someone explain what "phase 3 trial" actually means?
My mum was finally diagnosed after two years of being sent home with paracetamol.
The article says the drug was approved, but it's only approved for adults. Worth clarifying.
Staff shortages, not lazy doctors, are the problem.
Talk to your pharmacist, they know a lot more than people give them credit for.
"""),
    "finance": _lines("""
Holding rates was the right call, inflation is still above target.
Our fixed mortgage ends in June and we're dreading the new rate.
The article is a good explainer, but it should mention that fixed rates depend on swap rates, not just the base rate.
Inflation falling to 3% doesn't mean prices are falling. It means they're rising more slowly.
Bitcoin went up 20% and down 25% in the same month. That's not an investment, that's a casino.
I put a small amount into crypto in 2021 and I'm still down 40%. Lesson learned.
The pension changes will hit people who are already in their fifties hardest.
Student loans work more like a graduate tax, the headline number is misleading.
The central bank's own figures are here: https://www.bankofengland.co.uk/monetary-policy/the-interest-rate-bank-rate
Anyone know whether the new rules apply to loans taken out before 2023?
Savings rates are finally decent again, shop around people.
My bank offered me a loan at 19% APR. No thanks.
If someone promises you guaranteed returns on crypto, it's a scam. Full stop.
Good to see the explainer on how interest is calculated, more of this please.
Overpaying the mortgage a little each month has saved us thousands.
"""),
}

EN_FULL: dict[str, list[str]] = {
    "politics": _lines("""
I've lived in this town for 31 years and I've seen four different councils promise to fix the housing problem. Every single time, we get a glossy consultation, a couple of public meetings, and then nothing. || This budget is no different. The numbers in the table show £2.1m going to "regeneration consultants" and £0 to new council homes. I'd love someone from the council to explain that in the comments. || Good reporting though, at least someone is looking.
@Dave you keep saying the opposition would do better, but they voted FOR this budget in committee. Look at the minutes, it's all public.
I'm a councillor in a neighbouring district (not posting my name for obvious reasons). What people don't see is that 70% of our budget is statutory: adult social care, children's services, waste. Libraries and parks are what's left to cut. It's not a choice anyone wants to make.
Can the paper please do a proper explainer on how council tax is actually calculated? I have no idea why ours went up 4.99% and the neighbouring borough only 2.9%.
I AM SICK OF THIS. Every year they cut the bus, every year they cut the library, and every year the councillors give themselves an allowance increase. Enough.
"""),
    "local": _lines("""
Just a heads up for anyone using the bridge: the pedestrian side is still open, it's only closed to cars. Walked across this morning.
We moved here in 2019 for the schools and now they want to merge the two best ones into a site on the other side of town with no bus connection. The article mentions the savings but not the extra 2,000 car journeys a day. || Parents' meeting is on Thursday at 7pm in the community centre if anyone wants to come.
The flooding is heartbreaking. Our neighbours lost everything downstairs for the second time in five years. The insurance won't cover them anymore.
I used to take the 12 every day to the hospital for my dialysis. Now it's two buses and a 15 minute walk. Who do I write to?
"""),
    "sport": _lines("""
Watched the whole match at the ground. First half was dire, second half we finally pressed high and looked like a real team. If the new signing had been on from the start we'd have won. || Still, a point away from home against them isn't bad.
Everyone blaming the coach should look at the injury list. We played with three teenagers in defence.
Congrats to my wife who ran her first marathon in 5:02 after a year of training!! So proud 🏃‍♀️🎉
The article says the penalty was "controversial". It was a dive. Everyone in the stadium saw it, including the ref who then checked VAR and still gave it.
"""),
    "tech": _lines("""
I work in IT security and want to add some context. The breach didn't expose master passwords, but it did expose the encrypted vaults, which means anyone with a weak master password should change it AND rotate the passwords inside. || Also: the article says "hacked via the app", the company's advisory says it was a compromised developer laptop. Might be worth correcting.
Bought this laptop on the strength of a review like this one. Two years later the battery swelled and the repair shop said it was glued in. Never again. Repairability matters more than benchmarks.
Good review, but you didn't mention that the charger isn't included in the box. That's another 30 on top of the price.
"""),
    "food": _lines("""
I made this twice. The first time I followed the recipe exactly and it was a bit bland. The second time I doubled the garlic, added a squeeze of lemon at the end and a handful of spinach. Much better. || Also, red lentils cook much faster than the 40 minutes mentioned, mine were done in 20.
Thank you for a recipe that doesn't start with a 2,000-word life story! 😄 Made it tonight, kids ate it without complaining, which is a miracle.
"""),
    "health": _lines("""
My son was hospitalised with measles in 2019 when he was too young to be vaccinated. He caught it at the GP waiting room. Please, if you can vaccinate, do it. It's not just about your own kids.
I'm a pharmacist. Quick note on the new drug: it's not a replacement for insulin, and it's not suitable for everyone. Talk to your doctor before asking for it. The article makes it sound like a cure, which it isn't.
Ten weeks for a GP appointment. Ten weeks. By then I'll either be better or in A&E.
"""),
    "finance": _lines("""
For anyone worried about remortgaging: we spoke to a broker (a free one, paid by the lender) and he found us a rate 0.6% lower than our bank's offer. It's worth shopping around. Don't just accept the first letter your bank sends.
The article misses the point. Rates held at 4.5% still means a lot of families are paying hundreds more a month than two years ago. "Held" is not good news for them.
My brother lost £18,000 to a fake crypto platform he found through a social media ad. They even had a "support team" on WhatsApp. Please, if it sounds too good to be true, it is. Report it to Action Fraud.
@Tom the inflation figure is CPI, not RPI. The ONS explains the difference here: https://www.ons.gov.uk/economy/inflationandpriceindices/articles/shortcomingsoftheretailpricesindexasameasureofinflation/2018-03-08
"""),
    "film": _lines("""
I went in with low expectations and came out genuinely moved. The score, the long silent shots, the way the ending doesn't explain everything. People saying it's slow are missing the point. || That said, the dialogue in the first act is clunky. Four stars feels right.
Why does every review of this film mention the budget? Judge the film, not the spreadsheet.
"""),
    "music": _lines("""
Saw them at the festival in 2023 and the sound mix was terrible, you couldn't hear the vocals at all. Hopefully they fix it this year. The new record is great though, especially the slower tracks.
Subscribed to the paper's music newsletter after this review, great to see local bands getting proper coverage.
"""),
    "science": _lines("""
I teach physics and I'm going to use this article with my class. It's rare to see a science story that explains the uncertainty instead of hiding it. The bit about error bars was excellent.
Quick correction: the comet will be closest to Earth on the 14th, not closest to the Sun. Those are different dates.
"""),
    "travel": _lines("""
We did the Lisbon weekend in March with two kids. Tips: buy the 24h transport card, skip the famous custard tart queue and go to a neighbourhood bakery instead, and the aquarium is worth it. Also it rained both days, so pack a coat!
The night train was lovely until the heating broke at 2am. Still better than flying.
"""),
}

LANG_SHORT: dict[str, list[str]] = {
    "de": _lines("""
Guter Artikel, danke!
Sehe ich genauso.
Endlich sagt es mal jemand.
Völliger Unsinn.
Danke für die Zusammenfassung.
Schade.
Wurde auch Zeit!
Quelle?
Top 👍
Sehr informativ.
Das stimmt so nicht.
Hervorragend recherchiert.
"""),
    "fr": _lines("""
Très bon article, merci.
Tout à fait d'accord.
N'importe quoi.
Merci pour cet article.
Enfin !
Bravo 👏
Dommage.
Source ?
Article très intéressant.
Je ne suis pas d'accord du tout.
"""),
    "es": _lines("""
Muy buen artículo, gracias.
Totalmente de acuerdo.
Qué vergüenza.
Gracias por la información.
¡Por fin!
Ya era hora.
¿Fuente?
Muy interesante 👍
No estoy de acuerdo.
Increíble.
"""),
    "pt": _lines("""
Ótima matéria, parabéns.
Concordo plenamente.
Que absurdo.
Obrigado pela informação.
Finalmente!
Excelente texto 👏
Discordo totalmente.
Fonte?
Muito bom.
"""),
    "it": _lines("""
Ottimo articolo, grazie.
Sono d'accordo.
Che vergogna.
Era ora!
Fonte?
Molto interessante.
Non sono d'accordo per niente.
Bravi 👏
"""),
    "nl": _lines("""
Goed artikel, bedankt.
Helemaal mee eens.
Wat een onzin.
Eindelijk!
Bron?
Interessant stuk.
Jammer.
Niet mee eens.
"""),
    "pl": _lines("""
Świetny artykuł, dzięki.
Zgadzam się w stu procentach.
Bzdura.
Wreszcie!
Źródło?
Bardzo ciekawe.
Nie zgadzam się.
"""),
    "tr": _lines("""
Güzel haber, teşekkürler.
Kesinlikle katılıyorum.
Saçmalık.
Nihayet!
Kaynak?
Çok bilgilendirici.
Katılmıyorum.
"""),
    "sv": _lines("""
Bra artikel, tack.
Håller helt med.
Äntligen!
Källa?
"""),
    "ru": _lines("""
Хорошая статья, спасибо.
Полностью согласен.
Наконец-то!
Источник?
"""),
}

LANG_TOPIC: dict[str, dict[str, list[str]]] = {
    "de": {
        "politics": _lines("""
Der Stadtrat spart wieder bei den Schwimmbädern, aber für das neue Rathaus ist Geld da.
Die Wahlbeteiligung war hoch, weil endlich mal ein Thema die Leute bewegt hat.
Ich habe diese Partei jahrelang gewählt, aber diesmal nicht mehr.
Die Mietpreisbremse hilft nur, wenn sie auch kontrolliert wird. Bei uns macht das niemand.
Die Zahlen vom Statistischen Bundesamt sehen anders aus: https://www.destatis.de/DE/Themen/Wirtschaft/Preise/_inhalt.html
Leider wird im Artikel nur die Position der Regierung dargestellt.
Wer soll das bezahlen? Am Ende wieder die Mieter.
"""),
        "local": _lines("""
Die Brücke ist seit drei Monaten gesperrt und eine Umleitung ist kaum ausgeschildert.
Ich fahre jetzt jeden Tag mit dem Rad zur Arbeit, die neuen Radwege sind super.
Das Schwimmbad war der einzige Ort, an dem Kinder hier schwimmen lernen konnten.
Weiß jemand, ob die Buslinie 7 während der Bauarbeiten umgeleitet wird?
Die Baustelle steht seit Wochen still, niemand arbeitet dort.
"""),
        "sport": _lines("""
Ein Unentschieden war verdient, beide Mannschaften waren schwach.
Den Trainer nach sechs Spielen zu entlassen ist lächerlich.
Der Schiri hat heute alles falsch gemacht, was man falsch machen kann.
Glückwunsch an alle Läuferinnen und Läufer, tolle Stimmung an der Strecke!
Unsere Abwehr ist eine Katastrophe, das sieht doch jeder.
"""),
        "tech": _lines("""
Mein Akku hält locker zwei Tage, ich verstehe den Test nicht.
Glasfaser wurde uns 2021 versprochen. Passiert ist nichts.
Gibt es das Gerät auch mit austauschbarem Akku?
"""),
        "health": _lines("""
Habe mich gestern in der Apotheke gegen Grippe impfen lassen, ging ganz schnell.
Ist die Grippeimpfung auch für Schwangere empfohlen? Die STIKO-Seite ist da nicht ganz eindeutig.
Drei Monate auf einen Termin beim Facharzt, das ist doch nicht normal.
Meine Hausärztin geht nächstes Jahr in Rente und es gibt keine Nachfolge.
"""),
        "finance": _lines("""
Der Leitzins bleibt, aber die Kreditzinsen bei meiner Bank steigen trotzdem. Wie passt das zusammen?
Wir haben unseren Kredit 2021 festgeschrieben, zum Glück.
Die Rentenreform trifft wieder die Jüngeren am härtesten.
Bitcoin ist keine Altersvorsorge, sondern Glücksspiel.
"""),
        "food": _lines("""
Habe die Linsensuppe heute nachgekocht, mit etwas geräuchertem Paprika. Sehr lecker!
Wie lange muss der Sauerteig ruhen, bevor man backen kann?
Kann man das Rezept auch einfrieren?
Bei mir war der Teig viel zu flüssig, was mache ich falsch?
"""),
    },
    "fr": {
        "politics": _lines("""
Le conseil municipal a encore augmenté les impôts locaux sans rien expliquer.
La réforme des retraites touche surtout ceux qui ont commencé à travailler tôt.
Les chiffres de l'INSEE disent le contraire : https://www.insee.fr/fr/statistiques
Article un peu partial, on n'entend qu'un seul camp.
J'ai voté pour eux, je le regrette amèrement.
"""),
        "local": _lines("""
Le pont est fermé depuis des mois et personne ne sait quand il rouvrira.
Les nouvelles pistes cyclables sont une vraie réussite, je vais au travail à vélo maintenant.
Quelqu'un sait si le bus 5 est dévié pendant les travaux ?
"""),
        "sport": _lines("""
Match nul mérité, aucune équipe n'a vraiment joué.
L'arbitre a été catastrophique en deuxième mi-temps.
Bravo à tous les coureurs, super ambiance cette année !
"""),
        "film": _lines("""
Le film est beaucoup trop long, le milieu est interminable.
Critique trop sévère, j'ai adoré la musique et la photographie.
Attention, la critique dévoile la fin !
"""),
        "health": _lines("""
Je me suis fait vacciner contre la grippe à la pharmacie, c'était rapide et gratuit.
Dans mon village il n'y a plus de médecin depuis deux ans.
Le vaccin est-il recommandé pour les femmes enceintes ? Quelqu'un a une source fiable ?
"""),
        "food": _lines("""
J'ai testé la recette ce soir, un régal ! J'ai ajouté un peu de cumin.
On peut remplacer le beurre par de l'huile d'olive ?
Ma tarte était trop cuite après 40 minutes, attention selon le four.
"""),
        "finance": _lines("""
Les taux baissent enfin, on va pouvoir renégocier notre prêt.
L'inflation ralentit, mais les prix ne baissent pas pour autant.
Méfiez-vous des placements en crypto qui promettent des rendements garantis.
"""),
    },
    "es": {
        "politics": _lines("""
El ayuntamiento recorta en bibliotecas pero sube los sueldos de los concejales.
La participación fue alta porque la gente está harta.
El artículo solo recoge la versión del gobierno municipal.
Los datos del INE están aquí: https://www.ine.es/
"""),
        "local": _lines("""
El puente lleva cortado tres meses y no hay ningún desvío señalizado.
El nuevo carril bici es una maravilla, ahora voy en bici al trabajo.
¿Alguien sabe si el autobús 14 sigue pasando por la plaza?
"""),
        "sport": _lines("""
Empate justo, ninguno de los dos equipos mereció ganar.
Destituir al entrenador después de seis partidos es absurdo.
El árbitro estuvo fatal, ese penalti no era.
"""),
        "travel": _lines("""
Estuvimos en Lisboa en marzo, lleven calzado cómodo por las cuestas.
Qué alegría que vuelvan los trenes nocturnos, odio volar.
¿Alguien ha hecho este viaje con niños pequeños?
"""),
        "health": _lines("""
Me vacuné de la gripe ayer en el centro de salud, sin cita y en diez minutos.
Mi madre lleva ocho meses en lista de espera para una operación de cadera.
¿La vacuna es segura durante el embarazo? Pregunto en serio.
"""),
        "food": _lines("""
Hice las lentejas con un poco de chorizo y quedaron buenísimas.
La tortilla, con cebolla siempre. Sin cebolla no es tortilla 😄
¿Se puede congelar?
"""),
        "finance": _lines("""
El euríbor baja, pero mi banco no me ha bajado la cuota todavía.
La inflación baja, pero la compra sigue costando lo mismo.
Cuidado con las inversiones en criptomonedas que prometen ganancias seguras.
"""),
    },
    "pt": {
        "politics": _lines("""
A câmara corta na cultura mas aumenta os próprios salários.
A participação foi alta porque as pessoas estão cansadas.
A matéria só ouviu um lado.
Os dados do IBGE estão aqui: https://www.ibge.gov.br/
"""),
        "sport": _lines("""
Empate justo, nenhum dos times mereceu vencer.
Demitir o treinador depois de seis jogos é ridículo.
O árbitro foi péssimo no segundo tempo.
"""),
        "local": _lines("""
A ponte está fechada há três meses e não há desvio sinalizado.
As novas ciclovias são ótimas, agora vou trabalhar de bicicleta.
"""),
        "health": _lines("""
Tomei a vacina da gripe ontem no posto de saúde, foi rápido.
Minha mãe espera há oito meses por uma cirurgia.
A vacina é segura para grávidas? Alguém tem fonte confiável?
"""),
        "food": _lines("""
Fiz a feijoada no fim de semana, ficou maravilhosa!
Meu bolo de cenoura ficou solado, alguém sabe por quê?
Dá para congelar?
"""),
        "finance": _lines("""
A Selic mantida é bom para quem tem poupança, ruim para quem tem dívida.
Os juros do crédito habitação estão um absurdo.
Cuidado com quem promete lucro garantido com bitcoin, é golpe.
"""),
    },
    "it": {
        "politics": _lines("""
Il comune taglia sulle biblioteche ma trova i soldi per le consulenze.
La nuova legge elettorale non cambierà niente.
L'articolo riporta solo la versione della maggioranza.
"""),
        "sport": _lines("""
Pareggio giusto, nessuna delle due squadre meritava di vincere.
Esonerare l'allenatore dopo sei partite è assurdo.
L'arbitro ha sbagliato tutto nel secondo tempo.
"""),
        "food": _lines("""
La carbonara si fa con il guanciale, non con la pancetta! E niente panna.
Ho fatto il pane seguendo la ricetta, è venuto benissimo.
Si può usare la farina integrale?
"""),
        "travel": _lines("""
Lisbona è bellissima, ma portate scarpe comode.
Ho preso il treno notte per Vienna, esperienza fantastica.
"""),
        "health": _lines("""
Mi sono vaccinato ieri in farmacia, tutto veloce e gratuito.
Otto mesi di attesa per una visita specialistica, è inaccettabile.
"""),
    },
    "nl": {
        "politics": _lines("""
De gemeente bezuinigt weer op de bibliotheek, maar voor een nieuw stadhuis is wel geld.
Ik heb op ze gestemd, nooit meer.
De cijfers van het CBS zeggen iets heel anders: https://www.cbs.nl/
"""),
        "local": _lines("""
De brug is al maanden dicht en er is nauwelijks een omleiding aangegeven.
De nieuwe fietspaden zijn echt een verbetering.
Weet iemand of bus 8 nog langs het station rijdt?
"""),
        "sport": _lines("""
Gelijkspel was terecht, beide ploegen speelden slecht.
De trainer ontslaan na zes wedstrijden is belachelijk.
"""),
        "finance": _lines("""
Onze rentevaste periode loopt volgend jaar af, ik zie er tegenop.
Inflatie daalt, maar de boodschappen blijven duur.
"""),
        "health": _lines("""
Griepprik gehaald bij de huisarts, ging snel.
Acht maanden wachten op een afspraak bij de specialist, belachelijk.
"""),
    },
    "pl": {
        "politics": _lines("""
Rada miasta znowu tnie wydatki na biblioteki, a na nowy ratusz pieniądze są.
Wysoka frekwencja to dobry znak dla demokracji.
Artykuł przedstawia tylko jedną stronę.
"""),
        "sport": _lines("""
Remis był sprawiedliwy, obie drużyny grały słabo.
Zwolnienie trenera po sześciu meczach to absurd.
"""),
        "local": _lines("""
Most jest zamknięty od trzech miesięcy, a objazd jest słabo oznakowany.
Nowe ścieżki rowerowe są świetne, jeżdżę teraz rowerem do pracy.
"""),
        "health": _lines("""
Zaszczepiłem się wczoraj w aptece, trwało to pięć minut.
Na wizytę u specjalisty czekam już pół roku.
"""),
        "finance": _lines("""
Stopy bez zmian, a rata kredytu dalej wysoka.
Inflacja spada, ale ceny w sklepie wcale nie.
"""),
    },
    "tr": {
        "politics": _lines("""
Belediye yine kütüphane bütçesini kesti, ama yeni bina için para var.
Katılım yüksekti çünkü insanlar artık bıktı.
"""),
        "sport": _lines("""
Beraberlik adil bir sonuçtu, iki takım da kötü oynadı.
Altı maç sonra hocayı göndermek saçmalık.
Hakem ikinci yarıda çok kötüydü.
"""),
        "finance": _lines("""
Faiz sabit kaldı ama kredi faizleri hâlâ çok yüksek.
Enflasyon düşüyor diyorlar ama market fiyatları aynı.
"""),
        "food": _lines("""
Mercimek çorbasını yaptım, biraz nane ekledim, çok güzel oldu.
Limon sıkmayı unutmayın!
"""),
    },
    "sv": {
        "politics": _lines("""
Kommunen sparar på biblioteket men har pengar till konsulter.
"""),
        "sport": _lines("""
Oavgjort var rättvist, båda lagen var dåliga.
"""),
        "local": _lines("""
Bron har varit stängd i tre månader och omledningen är dåligt skyltad.
"""),
    },
    "ru": {
        "local": _lines("""
Мост закрыт уже три месяца, а объезд толком не обозначен.
"""),
        "sport": _lines("""
Ничья справедливая, обе команды играли плохо.
"""),
        "tech": _lines("""
У меня этот телефон уже полгода, батарея держит два дня.
"""),
    },
}

LANG_REPLY: dict[str, list[str]] = {
    "de": [
        "da muss ich widersprechen.",
        "genau so ist es.",
        "hast du dafür eine Quelle?",
        "Sie haben den Artikel nicht gelesen, oder?",
    ],
    "fr": [
        "je ne suis pas d'accord.",
        "exactement !",
        "vous avez une source ?",
        "relisez l'article, ce n'est pas ce qu'il dit.",
    ],
    "es": [
        "no estoy de acuerdo contigo.",
        "exacto.",
        "¿tienes alguna fuente?",
        "léete el artículo entero, anda.",
    ],
    "pt": [
        "discordo de você.",
        "exatamente!",
        "tem alguma fonte?",
        "leia a matéria inteira antes de comentar.",
    ],
    "it": ["non sono d'accordo.", "esatto!", "hai una fonte?"],
    "nl": ["daar ben ik het niet mee eens.", "precies!", "heb je een bron?"],
    "pl": ["nie zgadzam się.", "dokładnie!", "masz na to źródło?"],
    "tr": ["katılmıyorum.", "aynen öyle.", "kaynağın var mı?"],
    "sv": ["håller inte med.", "precis!"],
    "ru": ["не согласен.", "именно так."],
}

# --- Further hand-written ham: numbers, money, honest links and "video/channel/subscribe" talk.

EN_TOPIC_MORE: dict[str, list[str]] = {
    "politics": _lines("""
Turnout was 61%, up from 48% in 2021. That's not nothing.
The budget gap is £4.3m according to the council's own papers, not £2m as the article says.
I watched the full council meeting on their YouTube channel, the debate was far more heated than this article suggests.
If you want the actual bill text, it's on the parliament website, not behind any paywall.
My rent went from £850 to £1,150 in two years. Tell me again the market is working.
Check out the committee minutes before you blame the mayor, she voted against it.
Subscribe to the council's planning alerts, it's free and you get an email for every application on your street.
The speed limit change saves lives. 20 mph zones cut serious injuries by around a fifth where I live.
I'm 72 and I have never seen politics this nasty at a local level.
Nobody under 40 can afford a house here on a normal salary, that's the only thing this election was about.
Every party promised to fix potholes. The potholes won.
The article quotes "sources close to the mayor". Which sources? This is gossip, not news.
I actually went to the hustings. Only two of the five candidates bothered to turn up.
A 2% rise in council tax for a 20% cut in services. Brilliant.
Can someone explain what the "precept" line on my council tax bill is?
"""),
    "local": _lines("""
There's a short video of the flooding on the community group page, the water came up to the second step.
Check out the local history society's page, they have photos of the old bridge from 1910.
The diversion through the estate is dangerous, cars doing 40 past the primary school at 8:30.
Our library also runs a free repair cafe on Saturdays, 10 till 1, worth knowing about.
Bus 12 was the only one going past the hospital. Absolute madness to cut it.
I counted 14 potholes between the roundabout and the station this morning.
The new lanes took 3 months to paint and 3 weeks to get blocked by delivery vans.
Good news for once. Well done to everyone who campaigned to keep the pool open.
Can we please get a bin on the corner of Park Road? The litter is awful.
The consultation closes on the 30th, link is at the bottom of the article if you want to have your say.
The old cinema sign went up for auction at £2,400 apparently.
"""),
    "sport": _lines("""
2-2 and we were lucky to get that. Their keeper made three world class saves though.
Highlights video is on the club's channel if anyone missed it, the second goal is unreal.
He has scored 11 goals in 14 games, how is he not starting every week?
Paid £45 for a ticket and £7 for a pie to watch that. Never again.
I've been a season ticket holder for 22 years and that's the worst 90 minutes I've seen.
The article says 38,000 fans, it was more like 30,000, the whole upper tier was closed.
Great coverage, please do more on the women's game, the attendance numbers are growing every year.
Ran it in 3:51, a PB by 9 minutes. Huge thanks to the crowd at mile 20!
Check out the club's academy, half the team came through it.
Transfers are just money laundering with extra steps at this point.
Can anyone explain the new offside rule to me like I'm five?
What a goal in the 89th minute! Still shaking.
Penalty or not, we didn't deserve anything from that game.
"""),
    "science": _lines("""
The paper is open access, well worth a read if you have 20 minutes: https://doi.org/10.1000/example.2026.118
NASA's video of the launch is on their channel, the slow-motion bit is incredible.
Check out the Royal Society's summary, it's written for non-specialists and explains the error bars really well.
The comet reaches magnitude 5 around the 12th, so you might see it without binoculars if you're away from street lights.
Sample size of 40 is tiny, and there's no control group. I'd wait for a replication.
Interesting that the sodium cells lose only 10% of capacity after 3,000 cycles, if that holds up it's huge.
My son's school is taking them to see the telescope next month, he's over the moon (sorry).
Would love a follow-up on what the deep sea mining companies plan to do in the same area.
Journalists, please stop writing "scientists baffled". They're not baffled, they're doing science.
The climate summary is fine but the article leaves out the uncertainty ranges.
"""),
    "tech": _lines("""
I subscribed to their newsletter for security updates, they were actually quite open about the breach.
The review video on your channel was better than the written version, you should link it in the article.
Battery life on mine is about 7 hours of screen time, which is fine for me.
Paid $1,299 for this laptop and the keyboard died after 14 months. Repairability score of 3/10 sounds about right.
Check out the open source alternatives list on Wikipedia, there are some good ones: https://en.wikipedia.org/wiki/List_of_office_suites
Teachers need training, not just a login. My school gave us a 45 minute video and that was it.
The broadband map says our street has "superfast" coverage. My speed test says 6 Mbps.
Please stop reusing passwords, and please stop clicking links in emails that say your account is suspended.
Two-factor with an authenticator app is safer than SMS codes, the article should mention that.
Is the security update available for the older model too?
Apple, Samsung, Google, they all glue batteries now. The EU rules can't come soon enough.
"""),
    "food": _lines("""
I followed the video on your channel for the shaping and it finally worked after 4 failed attempts!
Cooked it at 180C for 35 minutes and it was perfect.
Can I use dried chickpeas instead of tinned? How long should I soak them?
Subscribed to the recipe newsletter after this one, thank you!
I'm diabetic, any tips to reduce the sugar in the banana bread?
Used 200g of lentils instead of 250g and it was still plenty for 4 people.
Check out the comments above, someone mentioned adding cumin and it really works.
My starter died twice before I realised our kitchen was just too cold. Put it near the boiler and it's thriving now.
Is this recipe OK for a fan oven or should I lower the temperature?
Made a double batch and froze half, still great after a month.
Ha, I've been making this wrong for 10 years apparently.
"""),
    "travel": _lines("""
The night train from Brussels to Berlin was €79 in a couchette, cheaper than the flight plus airport train.
Check out the city's own tourism site for the free museum days, we saved about €60.
Flight cancelled, rebooked for two days later, and the compensation claim took 4 months. Know your rights.
There's a good video on YouTube about walking the West Highland Way in winter, very helpful.
We paid ¥12,000 a night for a lovely guesthouse in Kyoto, so it can be done on a budget.
Stayed in a ryokan in Hakone（箱根）for two nights, worth every yen.
The sign at the station just said「出口」, thank god for the translation app.
Bring cash in rural Japan, lots of places don't take cards.
Any recommendations for family-friendly campsites near the coast?
The ferry strike lasted 3 days, plan a buffer if you're travelling in September.
"""),
    "music": _lines("""
The music video for the single is brilliant, shot in one take apparently.
I've had this album on repeat for a week. Track 7 is a masterpiece.
Subscribed to their channel years ago when they had 2,000 subscribers, so happy to see them on a festival poster now.
Check out their live session from 2022, it's on the radio station's channel, even better than the record.
£95 for a ticket plus £14 in "fees". The fees are a scam.
This song got me through a really hard year. Glad the review mentions it.
The review calls it "derivative". Everything is derivative. It's still a great song.
Anyone know if the vinyl pressing has the bonus track?
Saw them at the Academy last night, the sound was incredible and they played for 2 hours.
Listened to it once, not for me. Glad others like it though.
Their first three albums are untouchable. This one is fine.
The orchestra's free lunchtime concerts are the best thing in this city, please fund them.
"""),
    "film": _lines("""
The trailer gave away half the plot. Studios need to stop doing that.
Watched it at home on streaming, I think it would have been much better in a cinema.
The director's interview video on the festival channel explains the ending, worth watching after.
Check out the director's first film, it's much smaller but even better.
2h 48m. I needed an interval.
The lead actress deserves every award going.
Saw it with my 12 year old, a couple of scenes were too much for her, so be warned.
Paid £16.50 for a ticket and the projector was out of focus for the first 20 minutes.
A documentary about fish made me cry. Did not expect that.
The series finale was a disappointment but the first three seasons are still great.
"""),
    "health": _lines("""
The official guidance on who should get the vaccine is here: https://www.who.int/news-room/fact-sheets/detail/influenza-(seasonal)
My GP practice posted a short video explaining the new appointment system, it actually helped.
Check out the NHS app, you can book your flu jab in about 2 minutes.
The new drug costs about $900 a month in the US, so "approved" doesn't mean "available".
I'm a nurse on a medical ward. We had 9 patients waiting in corridors on Tuesday.
Does the shingles vaccine count as a "live" vaccine? Asking for my mum who is on immunosuppressants.
Measles cases: 412 this year vs 57 last year. Vaccination rates matter.
The study measured screen time by asking teenagers to guess. That's not very reliable.
Has anyone been on this medication long term? Any side effects?
I got the vaccine and the only side effect was a sore arm for a day.
Walk-in centre wait was 5 hours yesterday. Staff were lovely though.
"""),
    "finance": _lines("""
Our 2-year fix went from 1.9% to 4.8%. That's £420 a month more on the same house.
The ONS data shows food inflation still above 4%, so the headline number hides a lot.
If you want to check the historic base rate, Wikipedia has a full table: https://en.wikipedia.org/wiki/Bank_rate
Subscribe to the Money Saving newsletter if you're remortgaging, it has saved us a fortune.
Crypto is fine as a gamble with money you can afford to lose. It's not a pension.
Anyone offering "guaranteed" 20% a month is running a Ponzi scheme. Please warn your parents.
My mum nearly sent £3,000 to a "bitcoin recovery agent" after losing money to a scam. Recovery scams target victims twice.
Check out the FCA warning list before you invest with anyone: https://www.fca.org.uk/consumers/warning-list-unauthorised-firms
The student loan threshold change means graduates will pay back about £30 more a month.
A loan at 29.9% APR should be illegal, honestly.
The pension triple lock costs a lot but pensioners also pay tax, people forget that.
Easy access savings at 4.5% are beating inflation for the first time in years.
Videos on financial "freedom" on social media are mostly adverts for courses. Be careful.
Can someone explain how a tracker mortgage differs from a variable one?
"""),
}

EN_SHORT_MORE = _lines("""
Great video too, thanks for linking it.
Subscribed to the newsletter after reading this.
Check out the photo gallery, stunning.
2-1, what a game!
Thanks! Shared with my book club.
100% this.
Best article I've read this week.
Not sure about the headline tbh
Love it!!!
Brilliant 😂😂
Oh no 😢
Correct me if I'm wrong, but wasn't this in 2019?
Good.
Nope.
Really? Wow.
thanks, very useful
Great tips, will try at the weekend.
WHAT A GAME!!!
THANK YOU for writing this.
My dad will love this.
Yes!
Interesting.
Unbelievable.
Following this story.
Well done to the team 👏👏
Can't believe it's been 10 years already.
Read this on the train, nearly missed my stop.
""")

EN_FULL_MORE: dict[str, list[str]] = {
    "politics": _lines("""
I'll be honest, I came to this article ready to be angry, and I'm leaving it a bit less angry. The budget is bad, but the explainer made it clear that most of the cuts come from a funding formula set nationally, not from our councillors being incompetent. || What I still don't understand is the consultancy spending. £1.8m over three years on "transformation advisers" while closing two libraries is indefensible, whoever sets the formula. || I'd really like a follow-up that digs into those contracts: who got them, what was delivered, and whether any of it was tendered. That's the kind of journalism I'm happy to pay for.
@Margaret with respect, "they're all the same" is exactly what lets the worst ones get away with it. Look at the voting records: on the housing bill, 14 voted for, 9 against, and you can see exactly who. It's public. || I'm not telling you who to vote for. I'm saying that cynicism is a choice, and it's the easiest one.
As a former civil servant I want to push back a little on the tone here. The reform isn't perfect, but it's the first time in 15 years anyone has tried to simplify the tax code rather than bolt another allowance on. The losers in the article are real, but so are the winners, and the piece barely mentions them. || A fairer headline would be "Tax reform helps low earners, hits some pensioners". Less clickable, more accurate.
Every four years we get the same thing: leaflets, promises, a photo op at the school gates. Then nothing. || Our estate has had one working lift for 300 flats since January. ONE. Residents in wheelchairs have been stuck at home for weeks. The council says it's the housing association, the housing association says it's the contractor, the contractor doesn't answer the phone. || So forgive me if I don't get excited about turnout figures.
"""),
    "local": _lines("""
Some context that the article misses: the bridge wasn't closed because of the roadworks, it was closed because an inspection in 2024 found corrosion in two of the supports. The roadworks are the repair. The council published the engineering report in March, it's on their website under "Highways". || I agree the diversion signs are terrible though. I've seen three lorries try to turn round in our cul-de-sac this week.
Long-time resident here. When they first proposed the bike lanes I wrote a furious letter to the paper (I think it was even printed!). Eighteen months later I have to admit I was wrong. My granddaughter cycles to school now, the high street is quieter, and the shops I was worried about are still there. || The one thing they got wrong is the junction by the petrol station. It's a mess and somebody will get hurt.
"""),
    "sport": _lines("""
I've watched every home game this season and I don't think the coach is the problem. We sold our two best players in the summer and replaced them with a loan signing and a 19 year old. You can't expect miracles. || What I do blame him for is the substitutions. Taking off our only creative midfielder at 1-1 with twenty minutes left, at home, is just cowardly. || The board should back him until January and then give him money to spend. Sacking the fourth coach in three years won't fix anything.
For everyone asking, the club published the highlights on their YouTube channel and the full match is on the streaming service until Friday. The penalty incident is at about 62 minutes. || Having watched it five times: there was contact, but he was already going down. I'd have given it, but I understand why people are angry.
"""),
    "science": _lines("""
I work in battery research (not on this project) and want to add a bit of perspective. Sodium-ion is genuinely exciting because sodium is cheap and everywhere, but the energy density is lower than lithium-ion. That makes it great for grid storage and cheap city cars, and less great for phones. || The lab result in the article is real, but "lab to factory" usually takes 5 to 10 years. Anyone promising sodium phones next year is overselling it. || Good article overall, and thanks for quoting an independent researcher.
"""),
    "tech": _lines("""
Quick PSA since a lot of people in the comments seem worried: if you got an email "from" the company asking you to "verify your account" after the breach, it's almost certainly phishing. The company says it won't email you links. Go to the site directly by typing the address yourself. || Also, the breach notice on their blog is more detailed than most: https://status.example.com/incident/2026-03 (it's the official status page linked from their homepage). || Change your master password, turn on 2FA, and don't panic.
I'm a teacher and I've used the AI tool in class for a term. Honest review: it's good at explaining things in a different way when a kid is stuck, and it's terrible at maths beyond year 9. The bigger problem is that half my students now hand in homework that reads like a corporate brochure. || We need clear rules, not bans. Banning it just means the kids with a phone use it and the kids without don't.
"""),
    "food": _lines("""
I've made a lot of sourdough over the years and this is a solid guide, but two things tripped me up when I started and might help others: || 1) Weigh everything. Cups are useless for flour. 2) The "float test" for starter is unreliable; if it's doubled in 4 to 6 hours after feeding, it's ready. || Also, don't be discouraged by flat loaves at first. My first ten were frisbees. Now my family complain when I buy bread from the shop 😄
"""),
    "health": _lines("""
I want to share my experience because the article might worry some people. I was prescribed the new diabetes medication in the trial phase. For the first two weeks I felt sick most mornings and lost my appetite. After that it settled down, my blood sugar is the best it has been in 10 years and I've lost 9kg. || It's not a miracle and it's not for everyone, my brother couldn't tolerate it at all. Talk to your GP and ask about side effects. And please don't buy it online from random websites, there are a lot of fakes around.
My daughter is a junior doctor. She worked 68 hours last week, including a night shift where she was responsible for 120 patients. She came home and cried. || When people complain about waiting times, and they're right to, please remember it's not the staff. There simply aren't enough of them, and the ones we have are exhausted.
"""),
    "finance": _lines("""
A lot of comments here are saying "just don't buy a house then". For context, we're a couple in our thirties, both working full time, and our rent is £1,350 a month. A mortgage on an equivalent flat would be about £1,100 at current rates. The problem isn't the monthly cost, it's the £35,000 deposit. || Saving £500 a month, that's almost six years, during which house prices will move again. Articles about interest rates never seem to deal with that.
For anyone reading who has been scammed: I lost about £6,000 to a fake investment app in 2024. Afterwards I was contacted by several "recovery experts" on social media who said they could get my money back for a fee. They can't. They are the same scammers, or their friends. || The only people who helped were my bank (they refunded part of it under the reimbursement rules) and the police fraud line. Please don't pay anyone who contacts you first.
"""),
    "music": _lines("""
I've been going to this festival since 2009 and I'm going to say something unpopular: the lineup doesn't matter that much. The best sets I've seen there were by bands I'd never heard of, on the small stages, at 2pm. || What matters is price, toilets and sound, and on all three it's got worse. £280 for a weekend ticket is a lot when the main stage sounds like it's coming through a tin can. || Still going though. Obviously.
"""),
    "film": _lines("""
I'm going to disagree with the review. The reviewer calls the second half "self-indulgent", but that's where the film actually becomes interesting: the dialogue stops, the camera stays on faces, and you're left to work things out yourself. || Is it too long? Probably by 20 minutes. Is the ending ambiguous? Yes, deliberately. But I'd take an ambitious, flawed film over another perfectly competent sequel any day. || Three stars feels stingy. I'd give it four.
"""),
    "travel": _lines("""
We just got back from two weeks in Japan on a budget and some of the prices in the article are out of date. The rail pass went up a lot in 2023 and for our route it was actually cheaper to buy individual tickets. Convenience store food is genuinely good and cheap, and business hotels were around £60 a night for two. || Biggest tip: learn a few phrases and carry cash. And don't try to do Tokyo, Kyoto and Osaka in five days like we first planned, you'll spend the whole holiday on trains.
"""),
}

# --- Further hand-written ham in other languages.

LANG_TOPIC_MORE: dict[str, dict[str, list[str]]] = {
    "de": {
        "politics": _lines("""
Ich war bei der Bürgerversammlung, die Entscheidung stand offensichtlich schon vorher fest.
Die Grundsteuer steigt bei uns um 18 %, das steht leider nicht im Artikel.
Man kann von der Regierung halten, was man will, aber dieser Vorschlag ist vernünftig.
Schaut euch die Sitzung im Livestream auf dem Kanal der Stadt an, da wurde deutlich mehr gestritten.
Meine Miete ist in drei Jahren von 780 auf 1.050 Euro gestiegen.
"""),
        "local": _lines("""
Es gibt ein Video von der Überschwemmung in der Facebook-Gruppe vom Stadtteil, schlimm.
Die Umleitung führt direkt an der Grundschule vorbei, da fahren Autos mit 50 durch.
Danke an die Freiwillige Feuerwehr, die haben die ganze Nacht gepumpt.
Wer kann mir sagen, wo man Schlaglöcher melden kann?
"""),
        "sport": _lines("""
2:2 und wir können froh sein. Der Torwart hat uns den Punkt gerettet.
Die Zusammenfassung gibt es auf dem Kanal des Vereins, das zweite Tor ist ein Traum.
Seit 25 Jahren Dauerkarte, so schlecht habe ich uns selten gesehen.
Mein erster Halbmarathon, 2:04 Stunden, und ich bin einfach nur glücklich!
"""),
        "tech": _lines("""
Ändert eure Passwörter und schaltet die Zwei-Faktor-Authentifizierung ein, bitte.
Wer eine E-Mail bekommt, dass das Konto gesperrt sei: nicht auf den Link klicken, das ist Phishing.
Der Test im Video war ausführlicher als der Artikel, gute Arbeit.
Für 1.200 Euro erwarte ich, dass man den Akku selbst tauschen kann.
"""),
        "health": _lines("""
Die STIKO-Empfehlung findet man beim RKI: https://www.rki.de/DE/Content/Kommissionen/STIKO/stiko_node.html
Ich bin Pflegekraft und wir sind seit Monaten völlig unterbesetzt.
Nach der Impfung hatte ich nur einen schmerzenden Arm, sonst nichts.
Das neue Medikament kostet angeblich 300 Euro im Monat, wer soll das bezahlen?
"""),
        "finance": _lines("""
Unser Zinssatz steigt nach der Anschlussfinanzierung von 1,2 auf 3,9 Prozent. Das sind 380 Euro mehr im Monat.
Wer garantierte Renditen mit Krypto verspricht, ist ein Betrüger. Punkt.
Die BaFin hat eine Warnliste für unseriöse Anbieter, vorher unbedingt nachschauen.
Tagesgeld bringt endlich wieder etwas, Vergleichen lohnt sich.
Meine Mutter hätte fast 2.000 Euro an einen angeblichen Bitcoin-Berater überwiesen.
"""),
        "food": _lines("""
Ich habe das Rezept nach dem Video auf eurem Kanal gemacht, hat super geklappt.
Bei 180 Grad Umluft 35 Minuten, perfekt.
Statt Butter habe ich Rapsöl genommen, funktioniert auch.
Meinen Newsletter-Abo habe ich wegen solcher Rezepte, weiter so!
"""),
    },
    "fr": {
        "politics": _lines("""
J'étais à la réunion publique, la décision était déjà prise, c'était évident.
La taxe foncière augmente de 12 % chez nous, l'article n'en parle pas.
Je n'aime pas ce gouvernement, mais cette mesure est plutôt raisonnable.
Mon loyer est passé de 650 à 820 euros en trois ans.
"""),
        "local": _lines("""
Il y a une vidéo des inondations sur la page du quartier, c'est impressionnant.
La déviation passe devant l'école primaire, c'est dangereux.
Merci aux bénévoles qui ont nettoyé après la crue.
"""),
        "sport": _lines("""
2-2, et on peut s'estimer heureux. Le gardien nous a sauvés.
Les buts sont sur la chaîne du club, le deuxième est magnifique.
Mon premier semi-marathon en 1h58, je suis ravi !
"""),
        "film": _lines("""
La bande-annonce dévoilait déjà la moitié de l'histoire.
L'actrice principale mérite tous les prix.
2h45, il aurait fallu un entracte.
"""),
        "health": _lines("""
Les recommandations officielles sont sur le site de Santé publique France.
Je suis infirmière et on manque de personnel depuis des mois.
Après le vaccin, juste un bras un peu douloureux pendant une journée.
"""),
        "food": _lines("""
J'ai suivi la vidéo sur votre chaîne pour le façonnage, enfin réussi !
180 degrés pendant 35 minutes, c'était parfait.
Je me suis abonnée à la newsletter pour ce genre de recettes, merci.
"""),
        "finance": _lines("""
Notre taux passe de 1,3 % à 3,8 % à la renégociation, ça fait 300 euros de plus par mois.
Quiconque promet des rendements garantis en crypto est un escroc.
Consultez la liste noire de l'AMF avant d'investir où que ce soit.
Ma mère a failli envoyer 3 000 euros à un soi-disant expert en récupération de bitcoins.
"""),
    },
    "es": {
        "politics": _lines("""
Estuve en la asamblea vecinal y la decisión ya estaba tomada de antemano.
El IBI sube un 9 % y el artículo ni lo menciona.
No soy votante de este partido pero esta medida tiene sentido.
Mi alquiler ha pasado de 700 a 950 euros en tres años.
"""),
        "local": _lines("""
Hay un vídeo de la inundación en el grupo del barrio, impresionante.
El desvío pasa por delante del colegio, un peligro.
Gracias a los voluntarios que limpiaron todo después de la riada.
"""),
        "sport": _lines("""
2-2 y gracias. El portero nos salvó tres veces.
El resumen está en el canal del club, el segundo gol es una locura.
Mi primera media maratón en 1:55, ¡estoy feliz!
"""),
        "travel": _lines("""
El tren nocturno a París nos costó 89 euros en litera, más barato que el avión.
Consulten la web de turismo de la ciudad, hay días de museos gratis.
"""),
        "health": _lines("""
Las recomendaciones oficiales están en la web del Ministerio de Sanidad.
Soy enfermera y llevamos meses sin personal suficiente.
Tras la vacuna solo me dolió el brazo un día.
"""),
        "food": _lines("""
Seguí el vídeo de vuestro canal y por fin me salió bien el pan.
Me suscribí a la newsletter por estas recetas, gracias.
180 grados durante 35 minutos y perfecto.
"""),
        "finance": _lines("""
Mi hipoteca variable ha subido 280 euros al mes en dos años.
Quien te promete rentabilidad garantizada con criptomonedas te está estafando.
Antes de invertir, mirad la lista de advertencias de la CNMV.
"""),
    },
    "pt": {
        "politics": _lines("""
Estive na audiência pública e a decisão já estava tomada.
O IPTU subiu 15% aqui e a matéria nem menciona.
Meu aluguel passou de 1.500 para 2.100 reais em três anos.
"""),
        "sport": _lines("""
2 a 2 e foi sorte. O goleiro salvou o time.
Os melhores momentos estão no canal do clube, o segundo gol é lindo.
Minha primeira meia maratona em 2h01, muito feliz!
"""),
        "local": _lines("""
Tem um vídeo da enchente no grupo do bairro, assustador.
O desvio passa na frente da escola, é perigoso.
"""),
        "health": _lines("""
As recomendações oficiais estão no site do Ministério da Saúde.
Sou enfermeira e estamos sem pessoal há meses.
Depois da vacina só senti o braço dolorido por um dia.
"""),
        "food": _lines("""
Segui o vídeo do canal de vocês e finalmente deu certo!
Assinei a newsletter por causa dessas receitas, obrigada.
180 graus por 35 minutos, ficou perfeito.
"""),
        "finance": _lines("""
Minha prestação subiu 400 reais por mês com os juros.
Quem promete lucro garantido com cripto é golpista.
Minha mãe quase mandou 3 mil reais para um falso especialista em recuperar bitcoin.
"""),
    },
    "it": {
        "politics": _lines("""
Ero all'assemblea pubblica, la decisione era già presa.
L'IMU aumenta del 10% e l'articolo non ne parla.
Il mio affitto è passato da 600 a 850 euro in tre anni.
"""),
        "sport": _lines("""
2-2 e ci è andata bene. Il portiere ci ha salvato.
Gli highlights sono sul canale della squadra, il secondo gol è pazzesco.
"""),
        "food": _lines("""
Ho seguito il video sul vostro canale e finalmente il pane è venuto bene.
180 gradi per 35 minuti, perfetto.
Mi sono iscritta alla newsletter per queste ricette, grazie!
"""),
        "travel": _lines("""
Il treno notte per Vienna costava 79 euro in cuccetta, meno dell'aereo.
Consultate il sito del turismo della città, ci sono musei gratis la domenica.
"""),
        "health": _lines("""
Sono infermiera e siamo sotto organico da mesi.
Dopo il vaccino solo un po' di dolore al braccio.
Chi promette cure miracolose online vende solo illusioni.
"""),
    },
    "nl": {
        "politics": _lines("""
Ik was bij de inspraakavond, het besluit lag allang vast.
Mijn huur is in drie jaar van 950 naar 1.250 euro gegaan.
Ik ben geen fan van deze coalitie, maar dit voorstel is redelijk.
"""),
        "local": _lines("""
Er staat een filmpje van de overstroming in de buurtapp, echt heftig.
De omleiding gaat langs de basisschool, levensgevaarlijk.
"""),
        "sport": _lines("""
2-2 en we mogen blij zijn. De keeper redde ons.
De samenvatting staat op het kanaal van de club, die tweede goal!
"""),
        "finance": _lines("""
Wie gegarandeerd rendement belooft met crypto is een oplichter.
Check de waarschuwingslijst van de AFM voordat je ergens geld in stopt.
Onze maandlasten gaan 310 euro omhoog na de renteherziening.
"""),
        "health": _lines("""
Ik ben verpleegkundige en we zitten al maanden onderbezet.
Na de prik alleen een pijnlijke arm, verder niks.
"""),
    },
    "pl": {
        "politics": _lines("""
Byłem na konsultacjach, decyzja i tak już zapadła.
Mój czynsz wzrósł z 2100 do 2800 zł w trzy lata.
"""),
        "sport": _lines("""
2:2 i mieliśmy szczęście. Bramkarz nas uratował.
Skrót meczu jest na kanale klubu, drugi gol to majstersztyk.
"""),
        "local": _lines("""
Objazd prowadzi obok szkoły podstawowej, to niebezpieczne.
Dzięki strażakom, pompowali wodę całą noc.
"""),
        "health": _lines("""
Jestem pielęgniarką i od miesięcy brakuje nam ludzi.
Po szczepieniu tylko bolało mnie ramię przez dzień.
"""),
        "finance": _lines("""
Rata kredytu wzrosła mi o 900 zł miesięcznie.
Kto obiecuje gwarantowany zysk z kryptowalut, ten oszukuje.
Sprawdźcie listę ostrzeżeń KNF zanim cokolwiek zainwestujecie.
"""),
    },
    "tr": {
        "politics": _lines("""
Kiram üç yılda 8 binden 17 bine çıktı.
Toplantıya katıldım, karar zaten önceden verilmişti.
"""),
        "sport": _lines("""
2-2 ve şanslıydık. Kaleci bizi kurtardı.
Maçın özeti kulübün kanalında var, ikinci gol harika.
"""),
        "finance": _lines("""
Kriptoda garanti kazanç vaat eden herkes dolandırıcıdır.
Kredi kartı faizleri inanılmaz yüksek.
"""),
        "food": _lines("""
Videodaki gibi yaptım, çok güzel oldu, teşekkürler.
"""),
    },
    "sv": {
        "politics": _lines("""
Min hyra har gått upp från 7 200 till 8 900 kronor på tre år.
"""),
        "sport": _lines("""
Sammandraget finns på klubbens kanal, andra målet är fantastiskt.
"""),
        "local": _lines("""
Tack till räddningstjänsten som pumpade hela natten.
"""),
    },
    "ru": {
        "local": _lines("""
Спасибо спасателям, они откачивали воду всю ночь.
"""),
        "sport": _lines("""
2:2, и нам повезло. Вратарь спас команду.
"""),
        "tech": _lines("""
Меняйте пароли и включите двухфакторную аутентификацию.
"""),
    },
}

LANG_FULL: dict[str, list[str]] = {
    "de": _lines("""
Ich wohne seit 30 Jahren hier und habe schon vier Bürgermeister erlebt, die alle versprochen haben, das Wohnungsproblem zu lösen. Passiert ist nichts. || Dieser Haushalt ist nicht anders: 2 Millionen für Berater, null für Sozialwohnungen. Ich würde gern wissen, wer diese Verträge bekommen hat. || Trotzdem danke für die Recherche, gute Arbeit.
@Klaus Sie schreiben, die Opposition hätte es besser gemacht, aber die haben im Ausschuss zugestimmt. Steht alles im Protokoll, das ist öffentlich.
Kleine Korrektur: Das Spiel endete 2:1, nicht 2:0. Das Anschlusstor fiel in der 88. Minute. Ansonsten schöner Bericht!
Ich bin Apothekerin. Das neue Medikament ersetzt kein Insulin und ist nicht für alle geeignet. Bitte sprecht mit eurem Arzt und bestellt so etwas niemals bei irgendwelchen Online-Shops ohne Rezept, da sind viele Fälschungen unterwegs.
"""),
    "fr": _lines("""
J'habite ici depuis trente ans et j'ai vu quatre maires promettre de régler le problème du logement. Rien n'a changé. || Ce budget ne fait pas exception : deux millions pour des cabinets de conseil, zéro pour le logement social. J'aimerais savoir qui a obtenu ces contrats. || Merci quand même pour l'enquête, c'est du bon travail.
@Julien vous dites que l'opposition aurait fait mieux, mais elle a voté pour en commission. Tout est dans le compte rendu, c'est public.
Petite correction : le match s'est terminé 2-1, pas 2-0. Le but est arrivé à la 88e minute. Sinon, très bon compte rendu !
"""),
    "es": _lines("""
Llevo treinta años viviendo aquí y he visto a cuatro alcaldes prometer que arreglarían lo de la vivienda. Nada. || Este presupuesto es igual: dos millones para consultoras y cero para vivienda pública. Me gustaría saber quién se llevó esos contratos. || Aun así, gracias por el artículo, buen trabajo.
@Javier dices que la oposición lo habría hecho mejor, pero votaron a favor en la comisión. Está en el acta, es público.
Una corrección: el partido terminó 2-1, no 2-0. El gol llegó en el minuto 88. Por lo demás, muy buena crónica.
"""),
    "pt": _lines("""
Moro aqui há trinta anos e já vi quatro prefeitos prometerem resolver a questão da moradia. Nada mudou. || Esse orçamento é igual: dois milhões para consultorias e zero para habitação popular. Queria saber quem ficou com esses contratos. || Mesmo assim, obrigado pela matéria, bom trabalho.
@Rafael você diz que a oposição faria melhor, mas eles votaram a favor na comissão. Está na ata, é público.
"""),
    "it": _lines("""
Abito qui da trent'anni e ho visto quattro sindaci promettere di risolvere il problema della casa. Niente. || Questo bilancio non è diverso: due milioni per consulenze e zero per l'edilizia popolare. Vorrei sapere chi ha ottenuto quei contratti. || Comunque grazie per l'articolo, buon lavoro.
@Marco dici che l'opposizione avrebbe fatto meglio, ma in commissione ha votato a favore. È tutto nel verbale.
"""),
    "nl": _lines("""
Ik woon hier al dertig jaar en heb vier burgemeesters zien beloven dat ze het woningprobleem zouden oplossen. Er is niets veranderd. || Deze begroting is niet anders: twee miljoen voor adviesbureaus, nul voor sociale huur. || Toch bedankt voor het artikel, goed werk.
@Jeroen je zegt dat de oppositie het beter zou doen, maar ze stemden in de commissie gewoon voor.
"""),
    "pl": _lines("""
Mieszkam tu od trzydziestu lat i widziałem czterech prezydentów miasta, którzy obiecywali rozwiązać problem mieszkań. Nic się nie zmieniło. || Ten budżet jest taki sam: dwa miliony na doradców i zero na mieszkania komunalne. || Mimo wszystko dzięki za artykuł.
@Tomasz piszesz, że opozycja zrobiłaby to lepiej, ale głosowali za w komisji. Jest w protokole.
"""),
    "tr": _lines("""
Otuz yıldır burada yaşıyorum ve konut sorununu çözeceğini söyleyen dört başkan gördüm. Hiçbir şey değişmedi. || Bu bütçe de farklı değil. || Yine de haber için teşekkürler.
"""),
}


# --- Third round: songs and videos talked about honestly, replies, more short spam.

EN_TOPIC_MORE2: dict[str, list[str]] = {
    "music": _lines("""
This song never gets old. Still gives me goosebumps 15 years later.
The video for the title track has 40 million views and honestly it deserves more.
We danced to their first single at our wedding, so this review made me smile.
Like someone said above, the production is too polished, the demos were rawer and better.
Please share this review with anyone who thinks guitar music is dead.
I'd love to hear the acoustic version they played on the radio last week.
The bass line on the second track is ridiculous in the best way.
Watched the live stream of the concert from home, the crowd singing along was amazing.
My 8 year old knows all the words, which is slightly worrying given the lyrics 😅
The reviewer is right about the lyrics, but the melodies carry it.
"""),
    "film": _lines("""
Like the comment above says, the book ending is completely different.
Please don't watch the trailer, it spoils the twist.
The making-of video on the studio's channel is fascinating, 40 minutes well spent.
The kids loved it, the adults were checking their watches.
Share this with anyone who still thinks documentaries are boring.
I've seen it three times now and noticed something new each time.
"""),
    "local": _lines("""
You can email the highways team directly at roads@council.example.gov.uk, they did reply to me within a week.
Please share this with anyone on the estate who doesn't read the news, the meeting is important.
Like the last commenter said, the real issue is the lorries, not the cyclists.
"""),
    "tech": _lines("""
Like others said, turn on 2FA. Takes two minutes.
Please share this with your parents, they are the ones who click those "your account is suspended" emails.
The setup video from the manufacturer is on their support page, it's better than the manual.
"""),
}

EN_REPLY_MORE = _lines("""
sorry but that's just wrong.
lol no.
I'm with you on this one.
this. exactly this.
where did you get that number?
my experience was the complete opposite.
you should write for the paper, that's a better summary than the article.
to be fair, they did change the plan after the consultation.
read the second half of the article, it's addressed there.
you'd think so, but no.
""")

SPAM_EN_MORE2: dict[str, list[str]] = {
    "channel": _lines("""
Hey guys, I'm trying to become a rapper, please check out my new video and share it with your friends {link}
If you like this song you will LOVE my remix of it 🔥 {link}
Like this comment if you want me to post more covers!! {link}
I'm giving away free gift cards on my channel, check it out {link}
Please help me reach 10k followers, I post every day {link}
Guys check out this video, it's hilarious 😂😂 {link}
Hello! I'm a small artist from Brazil, I make lofi beats to study and relax. Listen here: {link}
Click on my name and watch my video, you will not regret it!
Check out my channel for {topic} tips!!
"""),
    "generic": _lines("""
Great job 👍 {link}
Amazing post!!
Very nice blog
Awesome!! {link}
Thanks admin 🙏
I like this website
Keep it up bro
Hello friends, nice article
Check my website
Click my name for a surprise 😉
Thx {link}
"""),
}

SPAM_LANG_MORE2: dict[str, list[str]] = {
    "sv": _lines("""
Vill du träffa singlar i din stad? 😘 {link}
Köp billiga följare på Instagram {link}
Ditt konto har spärrats. Verifiera dina uppgifter här: {link}
Casino utan svensk licens, 200 free spins {link}
"""),
    "ru": _lines("""
Раскрутка YouTube канала, живые подписчики недорого {link}
Купить права без экзамена, пишите в Телеграм {tg}
Быстрый заработок на криптовалюте, пишите {tg}
Ваш аккаунт заблокирован. Подтвердите данные: {link}
"""),
    "de": _lines("""
Abonniert meinen YouTube-Kanal, ich mache Gaming-Videos 🙏 {link}
Kaufe echte Instagram-Follower günstig {link}
"""),
    "es": _lines("""
Visita mi canal de YouTube, subo vídeos cada día!! {link}
Compra seguidores reales para Instagram {link}
"""),
    "fr": _lines("""
Voyance gratuite par téléphone, appelez maintenant {phone}
Achetez des abonnés Instagram pas chers {link}
"""),
    "it": _lines("""
Compra follower Instagram reali a poco prezzo {link}
Sei stato selezionato per un buono Amazon da 500 €! {link}
"""),
    "nl": _lines("""
Abonneer op mijn kanaal, ik maak elke week nieuwe video's {link}
Gratis iPhone actie, alleen vandaag! {link}
"""),
    "pl": _lines("""
Subskrybujcie mój kanał, nagrywam gameplaye codziennie 🙏 {link}
Tanie kredyty bez zaświadczeń, zadzwoń {phone}
"""),
    "tr": _lines("""
Kanalıma abone olun, her gün video atıyorum 🙏 {link}
Bedava takipçi kazanmak için tıkla {link}
"""),
}


def _merged(*parts: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in parts:
        for key, items in part.items():
            out.setdefault(key, []).extend(items)
    return out


EN_TOPIC_ALL = _merged(EN_TOPIC, EN_TOPIC_MORE, EN_TOPIC_MORE2)
EN_FULL_ALL = _merged(EN_FULL, EN_FULL_MORE)
EN_SHORT_ALL = EN_SHORT + EN_SHORT_MORE
LANG_TOPIC_ALL = {
    lang: _merged(LANG_TOPIC.get(lang, {}), LANG_TOPIC_MORE.get(lang, {})) for lang in LANG_SHORT
}


# Emoji overlap between the labels on purpose: an emoji alone should not decide.
# Some are ZWJ sequences (they contain U+200D), as real phones produce.
EMOJI_COMMON = ["👍", "😊", "😂", "🔥", "❤️", "😍", "👏", "💯", "🙏", "✅"]
EMOJI_HAM = [
    *EMOJI_COMMON,
    "🙂",
    "🤔",
    "🙄",
    "😡",
    "😢",
    "🤦\u200d\u2642\ufe0f",
    "😅",
    "⚽",
    "🎉",
    "👨\u200d\U0001f469\u200d\U0001f467",
    "🏃\u200d\u2640\ufe0f",
]
EMOJI_SPAM = [
    *EMOJI_COMMON,
    "💰",
    "🚀",
    "👉",
    "💵",
    "💋",
    "🎁",
    "📲",
    "⭐",
    "💸",
    "🤑",
    "🤦\u200d\u2640\ufe0f",
]


def typo(rng: random.Random, text: str) -> str:
    """Introduce one realistic slip: swapped, doubled or dropped letter."""
    # Only inside ordinary words: links, handles and e-mail addresses stay intact.
    letters: list[int] = []
    pos = 0
    for token in text.split(" "):
        if not any(ch in token for ch in "/.@[<&"):
            letters.extend(pos + k for k, ch in enumerate(token) if ch.isalpha())
        pos += len(token) + 1
    if len(letters) < 6:
        return text
    i = rng.choice(letters[1:-1])
    kind = rng.random()
    if kind < 0.4 and i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind < 0.7:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def style(rng: random.Random, text: str, emoji: Sequence[str], *, spammy: bool) -> str:
    """Vary case, punctuation, emoji and spelling the way people really type."""
    r = rng.random()
    if r < 0.12:
        text = text.lower()
    elif r < 0.16 if not spammy else r < 0.24:
        text = text.upper()
    if rng.random() < 0.15:
        text = typo(rng, text)
    if rng.random() < 0.12 and text.endswith("."):
        text = text[:-1]
    if rng.random() < (0.22 if spammy else 0.1):
        n = rng.choice([1, 1, 2, 3, 5]) if spammy else rng.choice([1, 1, 2])
        e = rng.choice(emoji)
        text = text + rng.choice([" ", ""]) + e * n
    if rng.random() < 0.05 and "/" not in text.rsplit(" ", 1)[-1]:
        text = text.rstrip(".!") + rng.choice(["!!", "!!!", "?!", "..."])
    return text


LEGIT_LINKS: dict[str, list[str]] = {
    "en": [
        "https://en.wikipedia.org/wiki/Council_tax",
        "https://www.ons.gov.uk/economy/inflationandpriceindices",
        "https://www.gov.uk/government/statistics",
        "https://www.nhs.uk/conditions/",
        "https://www.bbc.co.uk/sport/football",
        "https://en.wikipedia.org/wiki/Comet",
        "https://www.metoffice.gov.uk/weather/warnings-and-advice",
        "https://www.who.int/health-topics/measles",
        "https://www.fca.org.uk/scamsmart",
        "https://www.ecb.europa.eu/stats/html/index.en.html",
        "https://arxiv.org/abs/2601.01234",
        "https://www.example-news.com/2025/11/follow-up-on-the-budget",
        "https://github.com/libreoffice/core",
        "https://www.youtube.com/watch?v=council-meeting-full",
    ],
    "de": [
        "https://de.wikipedia.org/wiki/Leitzins",
        "https://www.destatis.de/DE/Home/_inhalt.html",
        "https://www.rki.de/DE/Home/homepage_node.html",
    ],
    "fr": [
        "https://fr.wikipedia.org/wiki/Taux_directeur",
        "https://www.insee.fr/fr/accueil",
        "https://www.service-public.fr/",
    ],
    "es": [
        "https://es.wikipedia.org/wiki/Eur%C3%ADbor",
        "https://www.ine.es/",
        "https://www.sanidad.gob.es/",
    ],
    "pt": [
        "https://pt.wikipedia.org/wiki/Taxa_Selic",
        "https://www.ibge.gov.br/",
        "https://www.gov.br/saude/pt-br",
    ],
    "it": ["https://it.wikipedia.org/wiki/Tasso_di_interesse", "https://www.istat.it/"],
    "nl": [
        "https://nl.wikipedia.org/wiki/Hypotheek",
        "https://www.cbs.nl/",
        "https://www.rivm.nl/griep",
    ],
    "pl": ["https://pl.wikipedia.org/wiki/Stopy_procentowe", "https://stat.gov.pl/"],
    "tr": ["https://tr.wikipedia.org/wiki/Enflasyon", "https://www.tuik.gov.tr/"],
}
LINK_INTRO: dict[str, list[str]] = {
    "en": [
        "Source:",
        "More here:",
        "Background:",
        "The official figures:",
        "For anyone interested:",
        "See",
    ],
    "de": ["Quelle:", "Mehr dazu:"],
    "fr": ["Source :", "Plus d'infos :"],
    "es": ["Fuente:", "Más info:"],
    "pt": ["Fonte:", "Mais aqui:"],
    "it": ["Fonte:"],
    "nl": ["Bron:"],
    "pl": ["Źródło:"],
    "tr": ["Kaynak:"],
}


def as_html(rng: random.Random, text: str) -> str:
    """Some comment forms deliver escaped or lightly formatted HTML, for ham and spam alike."""
    kind = rng.randrange(4)
    if kind == 0:
        return text.replace("&", "&amp;").replace("'", "&#39;").replace('"', "&quot;")
    if kind == 1:
        return "<p>" + text.replace("\n\n", "</p><p>") + "</p>"
    if kind == 2:
        return text.replace("\n\n", "<br><br>").replace("'", "&#039;")
    words = text.split(" ")
    k = rng.randrange(len(words))
    tag = rng.choice(["b", "i", "em", "strong"])
    words[k] = f"<{tag}>{words[k]}</{tag}>"
    return " ".join(words)


def reply_prefix(rng: random.Random, lang: str) -> str:
    first, _, _ = person(rng, lang)
    handle = first.split()[0]
    return rng.choice(
        [f"@{handle}", f"@{handle}", f"@{handle.lower()}", f"{handle}:", f"@{handle},"]
    )


# Ham that honestly talks about videos, songs, channels, views and subscriptions: readers
# do, and the model must not take the words alone for self-promotion.
EN_MEDIA_HAM = _lines("""
The video at the top of the article explains the timeline better than the text does.
I watched the full interview on the broadcaster's channel, the quote is accurate.
Subscribed to your newsletter after this piece, keep the local reporting coming.
That song in the background of the video is by a band from my hometown, nice touch.
The council meeting video has only 200 views, which says a lot about public interest.
Is there a podcast version? I'd subscribe to that for my commute.
My kids watch that science channel every evening, glad to see it getting some credit here.
The clip going around is edited, watch the whole video before you share it.
I cancelled my subscription last year but articles like this make me reconsider.
The music video they mention was filmed on our street, the whole town came out to watch.
Honestly the view count doesn't mean much, bots inflate those numbers all the time.
Thanks for embedding the video, the live coverage on TV cut away too early.
My daughter runs a small channel about birds and this article gave her a new idea.
Would you consider a weekly video summary? I'd happily follow that.
The song played at the ceremony was beautiful, does anyone know who sang it?
I follow the reporter on social media and she posted more photos from the scene.
The documentary is free on the public broadcaster's site, well worth an evening.
More views for this kind of journalism please, not for celebrity gossip.
Check out the paper's own video explainer, it's linked under the second chart.
I subscribed to the print edition again because of this series, worth every penny.
Watching the match highlights again, that second goal is even better in slow motion.
The channel that leaked this has been wrong before, I'd wait for confirmation.
Listened to the album twice this weekend, the last track is my favourite.
Like many of you I found this through a video a friend sent me, glad I read the full story.
The subscriber numbers quoted for that streaming service seem too high to me.
Great tip about the recipe video, my bread finally rose properly!
""")

# v3: more of the same kind, shorter and plainer, as readers write under music, film, sport
# and tech pieces: reactions to a song or a video, views and subscriber counts discussed as
# news, channels recommended by name without any link, subscriptions cancelled or kept.
EN_MEDIA_HAM_MORE = _lines("""
Love this song, it was playing everywhere the summer I finished school.
The video is better than the article, the drone shots of the valley are stunning.
That chorus has been stuck in my head since I read this, thanks a lot!
A billion views for a song about nothing, and the orchestra next door plays to empty halls.
I watched the trailer three times, still can't tell if the film is any good.
Her first album was rawer, this one sounds like it was made for radio.
Subscribed to the club's channel for the training videos, they are surprisingly good.
Does the view count on these clips even mean anything when they autoplay?
The live version of the song is so much better than the studio one.
My son keeps asking me to subscribe to channels, I keep saying no, this article helps.
The music video was shot in one take? That explains the shaky ending.
Great review, I'll check out the album on the way to work tomorrow.
I only know this band because of the video game soundtrack, still love them.
Channels like that make their money from outrage, don't give them the views.
The comments under the original video were full of bots, the reporter is right about that.
Whoever edited the highlight video deserves a raise.
I unsubscribed from the streaming service after the price went up again.
This song got me through a very hard year, glad to see the singer doing well.
Is the concert video available anywhere outside the app?
Good piece on how platforms count views, I always wondered why numbers jump overnight.
The old version of the video had subtitles, the new upload doesn't.
I follow the orchestra's channel and they posted the full rehearsal last week.
The dance in the video is harder than it looks, my daughter has been practising for days.
Fair point about subscriber counts being bought, one channel I watched lost half overnight.
Hearing the song in the film trailer gave me chills.
Share the full match video please, the highlights skip the best defending.
That tutorial video saved me from calling a plumber, thanks for the link in the text.
The band's channel posts the lyrics too, handy for learning the words.
Can we get a playlist of all the songs mentioned in the article?
Still the best music video ever made, nothing since has come close.
We watched the video in class and had a good discussion afterwards.
Not a fan of the new sound, but the video is beautifully shot.
I remember when a million views was huge news, now it's a normal Tuesday.
Subscribing to three news channels and they all ran the same clip, funny.
The original song is from the seventies, this is a cover and not a great one.
""")


# v4: readers praise articles in the very words bots open spam with ("Nice article",
# "Thanks for sharing", "Very informative"): alone, or followed by what they liked.  Without
# these, the phrases themselves read as spam to the model (a fresh-user check found "Nice
# article" at 0.72), when what makes such a comment spam is the link or the author's site.
EN_PRAISE_HAM = _lines("""
Nice article.
Nice article, very clear.
Great article!
Great article, thank you.
Thanks for sharing.
Thanks for sharing this.
Thanks for sharing, I had not heard about it.
Very informative.
Very informative, thank you.
Interesting article.
Interesting article, thanks for sharing.
Interesting read.
Interesting read, thanks.
Nice post.
Nice post, well written.
Wonderful piece.
Amazing!!
Hello everyone, nice to see this covered at last.
Hi all, interesting read.
Thanks for this report. Very informative.
Good read, thanks for sharing.
Really nice article.
Great post, thank you for explaining it.
Very interesting, thanks.
Informative article, thank you.
""")
EN_PRAISE_DETAIL = _lines("""
The part about the budget was the clearest explanation I have seen.
I did not know the council had already voted on it.
The photos of the flooding say more than any statement.
Good to see both sides quoted for once.
The timeline at the end helped a lot.
I will share it with my neighbours.
My daughter is doing this course next year, so this was useful.
Please follow up when the report comes out.
The interview with the nurse was the best part.
Clear, short and no jargon.
""")


def ham_text(rng: random.Random, art: Article) -> str:
    lang = art.lang
    if lang == "en":
        r = rng.random()
        topic_pool = EN_TOPIC_ALL[art.topic]
        if r < 0.20:
            text = rng.choice(EN_MEDIA_HAM if rng.random() < 0.45 else EN_MEDIA_HAM_MORE)
            if rng.random() < 0.4:
                text = text + " " + rng.choice(topic_pool)
        elif r < 0.35:
            text = rng.choice(EN_SHORT_ALL)
        elif r < 0.41:
            text = rng.choice(EN_PRAISE_HAM)
            if rng.random() < 0.5:
                text = text + " " + rng.choice(EN_PRAISE_DETAIL + topic_pool)
        elif r < 0.38 and art.topic in EN_FULL_ALL:
            text = rng.choice(EN_FULL_ALL[art.topic])
            if rng.random() < 0.25:
                extra = rng.sample(topic_pool, rng.choice([1, 2, 3]))
                text = text + "\n\n" + " ".join(extra)
        else:
            n = rng.choice([1, 1, 1, 1, 2, 2, 2, 3, 4])
            parts = rng.sample(topic_pool, min(n, len(topic_pool)))
            if rng.random() < 0.3:
                opener = rng.choice(EN_OPEN)
                if opener.endswith(",") and parts[0][:2] != "I ":
                    parts[0] = parts[0][0].lower() + parts[0][1:]
                parts.insert(0, opener)
            if rng.random() < 0.25:
                parts.append(rng.choice(EN_CLOSE))
            sep = "\n\n" if len(parts) >= 3 and rng.random() < 0.5 else " "
            text = sep.join(parts)
        if rng.random() < 0.14:
            reply = rng.choice(EN_REPLY + EN_REPLY_MORE)
            text = f"{reply_prefix(rng, lang)} {reply}" + (f" {text}" if rng.random() < 0.6 else "")
    else:
        pool = LANG_TOPIC_ALL.get(lang, {}).get(art.topic, [])
        r = rng.random()
        if r < 0.22 or not pool:
            text = rng.choice(LANG_SHORT[lang])
        elif r < 0.32 and lang in LANG_FULL:
            text = rng.choice(LANG_FULL[lang])
        else:
            n = rng.choice([1, 1, 1, 2, 2, 3])
            parts = rng.sample(pool, min(n, len(pool)))
            if rng.random() < 0.2:
                parts.insert(0, rng.choice(LANG_SHORT[lang]))
            text = " ".join(parts)
        if rng.random() < 0.12 and lang in LANG_REPLY and not text.startswith("@"):
            text = f"{reply_prefix(rng, lang)} {rng.choice(LANG_REPLY[lang])} {text}"
    if rng.random() < 0.07 and lang in LEGIT_LINKS:
        link = rng.choice(LEGIT_LINKS[lang])
        if rng.random() < 0.3:
            link = link.removeprefix("https://")
        text = text + rng.choice([" ", "\n\n", " "]) + f"{rng.choice(LINK_INTRO[lang])} {link}"
    text = style(rng, text, EMOJI_HAM, spammy=False)
    if rng.random() < 0.01:
        text = "\ufeff" + text  # pasted from a word processor
    return as_html(rng, text) if rng.random() < 0.04 else text


# ---------------------------------------------------------------------------
# Spam: link shapes, templates per category and language, obfuscation.
# ---------------------------------------------------------------------------

SHORTENERS = [
    "bit.ly",
    "tinyurl.com",
    "cutt.ly",
    "is.gd",
    "rb.gy",
    "shorturl.at",
    "t.ly",
    "goo.su",
    "clck.ru",
    "s.id",
]
SHOPS: dict[str, list[str]] = {
    "pharma": [
        "www.cheap-meds-online.example",
        "bestpills24.top",
        "rx-pharmacy-direct.xyz",
        "viagra-nopresc.info",
        "meds4less.ru",
        "generic-cialis.shop",
        "pillstore-usa.top",
        "pharma-discount.biz",
    ],
    "seo": [
        "seo-rank-booster.xyz",
        "backlinks4u.top",
        "top-seo-agency.info",
        "rankfirst.ru",
        "www.linkbuilding-pro.example",
        "guestpost-hub.xyz",
        "webtraffic-now.top",
    ],
    "crypto": [
        "btc-profit-daily.xyz",
        "crypto-gains.top",
        "forex-signals-pro.info",
        "bitcoin-doubler.ru",
        "recoverfunds-expert.xyz",
        "invest-trade24.top",
        "www.coinprofit-club.example",
    ],
    "loan": [
        "quickloan-approval.info",
        "cashnow24.top",
        "loans-no-credit-check.xyz",
        "paydayfast.ru",
        "www.easy-loan-offer.example",
    ],
    "channel": [
        "youtube.com/@dj_kryptobeats",
        "youtube.com/@CookingWithZara_official",
        "soundcloud.com/lil-vortexx",
        "youtube.com/watch?v=Xq7fK2pLm9A",
        "youtube.com/@GamerBoyTV2026",
        "spotify.example/artist/novaa-beats",
    ],
    "adult": [
        "hot-singles-near-you.xyz",
        "datingcams.top",
        "meetgirls24.ru",
        "sexy-chat.info",
        "www.adult-cams-free.example",
        "flirt-tonight.top",
    ],
    "phishing": [
        "secure-verify-account.info",
        "paypal-resolution-center.xyz",
        "account-unlock-support.top",
        "netflix-billing-update.ru",
        "www.bank-security-check.example",
        "appleid-verify.xyz",
    ],
    "giveaway": [
        "free-iphone-giveaway.xyz",
        "claim-your-prize.top",
        "winner-2026.info",
        "giftcard-free.ru",
        "www.free-gift-cards.example",
    ],
    "wfh": [
        "workfromhome-cash.xyz",
        "earn500daily.top",
        "online-jobs-now.info",
        "homeprofit.ru",
        "www.easy-money-online.example",
    ],
    "essay": [
        "essaywriter-pro.xyz",
        "best-essay-help.top",
        "writemypaper24.info",
        "www.cheap-essays.example",
        "thesis-help.ru",
    ],
    "casino": [
        "luckyspin-casino.xyz",
        "bet-bonus-777.top",
        "slots-online.ru",
        "casino-free-spins.info",
        "www.best-betting-sites.example",
        "1win-bonus.top",
    ],
    "spell": [
        "spelltemple.xyz",
        "lovespell-caster.info",
        "powerful-spells.top",
        "www.dr-amara-spell-home.example",
    ],
    "generic": [
        "my-best-blog.xyz",
        "cheap-deals-online.top",
        "www.great-products.example",
        "shop-outlet.ru",
        "best-reviews-site.info",
        "replica-watches.top",
        "cheap-ugg-boots.xyz",
        "weight-loss-now.info",
    ],
}
PATHS = [
    "",
    "/",
    "/buy",
    "/order-now",
    "/promo",
    "/?ref=",
    "/index.php?id=",
    "/product/",
    "/go/",
    "/landing",
    "/?aff=",
    "/offer.html",
]


def _code(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


def spam_link(rng: random.Random, cat: str) -> str:
    """A link in one of the shapes spam really uses (shortener, throwaway shop, video)."""
    scheme = rng.choice(["https://", "http://", "", "https://", "http://www."])
    if cat == "channel" and rng.random() < 0.7:
        chan = rng.choice(CHANNEL_NAMES).replace(" ", "").replace(".", "")
        return rng.choice(
            [
                f"https://www.youtube.com/watch?v={_code(rng, 11)}",
                f"youtube.com/@{chan}",
                f"https://youtu.be/{_code(rng, 11)}",
                f"https://soundcloud.com/{chan.lower()}/track-{rng.randint(1, 40)}",
                f"https://www.instagram.com/{chan.lower()}",
                f"https://www.tiktok.com/@{chan.lower()}",
            ]
        )
    if rng.random() < 0.3:
        host = rng.choice(SHORTENERS)
        return f"{scheme.replace('www.', '')}{host}/{_code(rng, rng.randint(5, 8))}"
    shop = rng.choice(SHOPS.get(cat, SHOPS["generic"]))
    if shop.startswith(("youtube", "soundcloud", "spotify")):
        return f"https://{shop}" if rng.random() < 0.7 else shop
    if shop.startswith("www."):
        scheme = scheme.replace("www.", "")
    elif "www." in scheme and rng.random() < 0.5:
        scheme = "http://"
    path = rng.choice(PATHS)
    if path.endswith("=") or path.endswith("/product/"):
        path += _code(rng, rng.randint(3, 6)).lower()
    return f"{scheme}{shop}{path}"


def phone(rng: random.Random) -> str:
    return rng.choice(
        [
            f"+1 (555) 01{rng.randint(0, 9)}-{rng.randint(1000, 9999)}",
            f"+1555{rng.randint(1000000, 9999999)}",
            f"+44 7700 900{rng.randint(100, 999)}",
            f"+234 701 555 {rng.randint(1000, 9999)}",
            f"+91 98765 {rng.randint(10000, 99999)}",
            f"+7 900 555-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
        ]
    )


def tg_handle(rng: random.Random) -> str:
    return (
        "@"
        + rng.choice(
            [
                "crypto_mike_fx",
                "recovery_pro_hack",
                "amanda_trades",
                "fxsignals_daily",
                "hotanna_23",
                "bestloans_uk",
                "spell_mama",
                "cashapp_flip",
                "jobs_online_now",
                "btc_mentor_john",
            ]
        )
        + rng.choice(["", "", str(rng.randint(1, 99))])
    )


SPAM_NAMES: dict[str, list[str]] = {
    "pharma": [
        "Cheap Viagra",
        "buy cialis online",
        "Pharmacy Online 24",
        "generic viagra no prescription",
        "Tramadol Without Rx",
        "Online Pharmacy USA",
        "Weight Loss Pills",
    ],
    "seo": [
        "best seo services",
        "SEO Agency London",
        "backlinks pro",
        "cheap SEO",
        "Rank #1 On Google",
        "web design company",
        "digital marketing agency dubai",
    ],
    "crypto": [
        "Crypto Recovery Expert",
        "Bitcoin Investment",
        "forex signals",
        "Recover Scammed Funds",
        "Binary Options Pro",
        "Elon Crypto Giveaway",
        "Mrs Amanda Trades",
    ],
    "loan": ["Quick Loans UK", "Payday Loan", "loan offer", "Fast Cash Today", "Private Lender"],
    "channel": [
        "DJ Krypt0 Official",
        "MusicByLeo",
        "GamerBoyTV",
        "Cooking With Zara",
        "lil vortexx",
        "NovaaBeats",
    ],
    "adult": ["Hot Singles", "Anna 23", "Sexy Lina", "Find a Date Tonight", "Candy", "lonely girl"],
    "phishing": [
        "Account Security Team",
        "PayPaI Support",
        "Customer Service",
        "Billing Department",
        "Admin",
    ],
    "giveaway": ["iPhone Giveaway", "Winner Team", "Free Gift Cards", "Promo Department"],
    "wfh": ["Work From Home", "Online Jobs", "Easy Money", "Jennifer (work at home mom)"],
    "essay": ["Essay Writing Service", "Best Essay Help", "write my paper", "Assignment Help UK"],
    "casino": [
        "Online Casino",
        "Free Spins",
        "LuckySpin Casino",
        "Best Betting Tips",
        "slot gacor",
    ],
    "spell": [
        "Dr. Amara Spell Temple",
        "Great Priest Oba",
        "Love Spell Caster",
        "Lady Wendy Testimony",
    ],
    "generic": [
        "replica watches",
        "cheap uggs",
        "best vpn 2026",
        "essay writer",
        "buy instagram followers",
        "CBD Oil",
        "keto diet pills",
    ],
}

SPAM_EN: dict[str, list[str]] = {
    "seo": _lines("""
Great article! Visit my site for the best SEO services: {link}
Nice post. I like your blog very much. Please visit my website {link} for more info on {kw}.
I have been browsing online more than three hours today, yet I never found any interesting article like yours. It is pretty worth enough for me. Here is my site {link}
Thank you for sharing such a wonderful and informative post. Keep it up! {link}
Wow, this paragraph is pleasant, my sister is analyzing these things, thus I am going to inform her. {link}
Hello admin, your website is ranking low on Google. We can bring you on first page in 2 weeks. Contact: {link}
Need high quality backlinks? DA 50+ guest posts from $5. {link}
Hi, I noticed your site has broken links and slow speed. I can fix it cheap, reply or visit {link}
Very good information. Lucky me I found your site by accident. I've bookmarked it. Also check {link}
I really like what you guys are usually up too. This sort of clever work and coverage! Keep up the awesome works guys I've included you guys to my blogroll. {link}
Howdy! This post couldn't be written any better! Reading through this post reminds me of my previous room mate! {link}
Buy {kw} at the lowest price >>> {link} <<<
nice post visit my blog {link}
Good info. {kw} {kw} {kw} {link}
Hey there! Do you use Twitter? I'd like to follow you if that would be ok. I'm definitely enjoying your blog and look forward to new posts. {link}
Awesome blog! Is your theme custom made or did you download it from somewhere? A theme like yours with a few simple adjustements would really make my blog shine. {link}
Great weblog right here! Additionally your web site loads up very fast! What host are you using? Can I get your affiliate link to your host? {link}
"""),
    "pharma": _lines("""
Buy {kw} online without prescription, discreet shipping worldwide: {link}
Cheap {kw} 100mg only $0.89 per pill!!! {link}
Looking for {kw}? Best prices, no doctor needed, overnight delivery. {link}
Interesting article. By the way, generic {kw} is now available at {link}
Men! Want to last longer? Try our natural formula {link}
lose 10kg in 2 weeks with this one trick doctors hate {link}
Order {kw} and tramadol, no rx needed, pay with bitcoin. WhatsApp {phone}
Best online pharmacy 2026 - {kw}, cialis, levitra, xanax. {link}
"""),
    "crypto": _lines("""
I lost $87,000 to a fake trading platform last year and thought I'd never see it again. Then I contacted {tgname}, a recovery expert who helped me get back every cent within 72 hours. Reach him on Telegram {tg} or WhatsApp {phone}. Thank me later.
Investing in crypto is the best decision I ever made. I started with $500 and now I make $4,200 every week thanks to Mrs Amanda's trading signals. Contact her on WhatsApp {phone}
Bitcoin is going to the moon 🚀🚀 join our VIP signals group {link}
Don't waste your time complaining about inflation, start trading forex with expert guidance. I earn $3,000 weekly. Message {tg} on Telegram.
Any one who needs help recovering stolen crypto should contact {tgname}, very legit and reliable. {link}
Send 0.1 BTC and receive 0.2 BTC back instantly! Limited time event: {link}
I was skeptical at first but this investment platform doubled my money in 10 days. {link}
Thanks to expert {tgname} I now have a steady income from bitcoin mining. Message on Telegram {tg}
Want to earn passive income with crypto? DM me {tg}
HOW I RECOVERED MY LOST BITCOIN: after being scammed by a broker I found a hacker who helped me. Email: recoverypro@{maildomain} or WhatsApp {phone}
"""),
    "loan": _lines("""
Do you need a loan? We offer loans at 2% interest rate, no credit check. Contact us today: {link}
Are you in need of urgent loan? I am a private lender, I give out loans to serious individuals. Email: loans.{first}@{maildomain} WhatsApp {phone}
Get up to $5,000 today even with bad credit! Apply in 2 minutes {link}
Quick cash loans approved in 5 minutes, money in your account today. {link}
Hello everyone, I got my loan of $45,000 from a legit lender after being scammed by others. Contact them via WhatsApp {phone}
Payday loans instant approval no paperwork {link}
"""),
    "channel": _lines("""
Check out my channel, I make videos about gaming!! Please subscribe 🙏 {link}
Hey guys I make music, please listen to my new song and tell me what you think {link}
Subscribe to my channel and I'll subscribe back! {link}
Can you guys please check out my channel, I'm trying to reach 1000 subs ❤️ {link}
Who else is watching this in 2026? Check out my video {link}
I'm a small youtuber, would mean the world if you check out my latest video {link}
follow for follow?? I always follow back 💯 {link}
Please support my music, I'm a 16 year old rapper from Ohio trying to make it {link}
Sub4sub anyone? Comment done when you subscribed and I will sub back
Hey, I just uploaded a cover of this song, give it a listen! {link}
Want more views? Get 10,000 real subscribers for just $19 {link}
"""),
    "adult": _lines("""
Hey 😘 I'm bored tonight, want to chat? My profile here: {link}
Hot singles in your area are waiting for you! {link}
I'm Anna, 23, looking for a serious man. Write me at {link}
Lonely? Thousands of girls want to meet you tonight 💋 {link}
See my private photos 🔥🔥 {link}
Sweet girl looking for fun, add me on Telegram {tg}
Want to see more of me? Click my profile 😍
"""),
    "phishing": _lines("""
Your account has been suspended due to unusual activity. Verify your identity within 24 hours at {link}
Dear user, your mailbox is almost full. Click here to upgrade storage: {link}
Security alert: someone tried to log in to your account. If this was not you, secure your account now {link}
Your package could not be delivered. Please confirm your address and pay the $1.99 fee at {link}
Final notice: your subscription payment failed. Update your billing information: {link}
Admin, your website domain is about to expire. Renew now to avoid losing it: {link}
Your tax refund of $834.20 is ready. Claim it here before it expires: {link}
"""),
    "giveaway": _lines("""
CONGRATULATIONS! You have been selected to win a brand new iPhone 17 Pro! Claim here {link}
🎁 FREE $500 gift card for the first 100 people 🎁 {link}
I just got a free PS5 from this site, it actually works!! {link}
We are giving away 5,000 USDT to our followers, just register and share: {link}
Win a free trip to Dubai! Click the link and fill the form {link}
You are our 1,000,000th visitor! Click to claim your prize {link}
"""),
    "wfh": _lines("""
I make $500 a day working from home with just my laptop. No experience needed. Start here: {link}
My neighbour's daughter earns $87 an hour online. She has been out of work for 9 months but last month her income was $18,473 just working on the laptop for a few hours. Go to this site for more information {link}
Start earning today!! Simple copy paste jobs, $300 per day guaranteed {link}
I quit my 9-5 job and now I earn over $10,000 a month from home. Here is what I do {link}
Google is paying $97 per hour for work from home. Just work for maximum 2 hours daily and receive paycheck every week. Check it out {link}
Earn money online by liking videos! DM me on Telegram {tg}
"""),
    "essay": _lines("""
Struggling with your assignments? Our expert writers will write your essay in 24 hours. Plagiarism-free! {link}
Thanks for the article! If any student needs help with homework or dissertation, visit {link}
Cheap essay writing service, 100% original, A+ guaranteed. {link}
Do my assignment for me UK, best rates, PhD writers {link}
"""),
    "casino": _lines("""
Best online casino 2026! Get 200 free spins with no deposit: {link}
I won $12,000 playing slots on this site last week!! {link}
Sports betting tips with 95% win rate. Join our VIP group {tg}
Bonus code WIN777 gives you $100 free at {link}
Play roulette online and win real money 🎰🎰 {link}
slot gacor hari ini maxwin {link}
"""),
    "spell": _lines("""
My husband left me for another woman and I was heartbroken until I contacted Dr. Amara, a powerful spell caster. Within 48 hours he came back begging for forgiveness. Contact Dr. Amara on WhatsApp {phone} or email dramara.spell@{maildomain}
I want to testify about the great work of Priest Oba who cured my herpes with herbal medicine. Contact him {phone}
Thank you Dr. Lavender for bringing back my ex lover, his spells are real!! {link}
If you need help with lottery numbers, love problems, or cure for any disease, contact the great spell caster on WhatsApp {phone}
"""),
    "generic": _lines("""
nice post visit my blog {link}
Very nice article, keep it up. {link}
Thanks for the info {link}
Great post, thanks for sharing! {link}
Good content. Regards, {kw}
I like it. {link}
Search "{kw}" on google and click the first result, you will thank me
Cheap replica watches, Rolex, Omega, best quality {link}
This is really interesting, You are a very skilled blogger. I've joined your feed and look forward to seeking more of your great post. Also, I have shared your site in my social networks! {link}
Whoah this blog is wonderful i love reading your articles. Keep up the good work! You know, many people are looking around for this info, you could help them greatly. {link}
Hi there, just became aware of your blog through Google, and found that it is truly informative. I'm going to watch out for brussels. I will appreciate if you continue this in future. Lots of people will be benefited from your writing. Cheers! {link}
It's an remarkable article in favor of all the internet visitors; they will obtain benefit from it I am sure. {link}
Contact me on WhatsApp {phone} for more details
message me on telegram {tg} 💰💰💰
"""),
}

SPAM_KW: dict[str, list[str]] = {
    "seo": ["seo services", "cheap backlinks", "web design", "digital marketing", "local seo"],
    "pharma": ["viagra", "cialis", "tramadol", "levitra", "xanax", "phentermine", "kamagra"],
    "generic": [
        "cheap ugg boots",
        "replica handbags",
        "best vpn",
        "keto pills",
        "cbd gummies",
        "instagram followers",
    ],
}

SPAM_LANG: dict[str, list[str]] = {
    "de": _lines("""
Toller Artikel! Besuchen Sie meine Seite für die besten SEO-Dienstleistungen: {link}
Günstige {kw} ohne Rezept kaufen, diskreter Versand: {link}
Ich verdiene 500 € am Tag von zu Hause aus. Keine Erfahrung nötig! {link}
Kredit ohne Schufa, sofortige Auszahlung! Jetzt beantragen: {link}
Ihr Konto wurde gesperrt. Bitte bestätigen Sie Ihre Daten unter {link}
Ich habe mit Bitcoin-Trading in zwei Wochen 8.000 € verdient. Schreiben Sie Frau Amanda auf WhatsApp {phone}
Schöner Beitrag, danke fürs Teilen. {link}
Einsame Frauen in deiner Nähe warten auf dich 💋 {link}
Online Casino mit 200 Freispielen ohne Einzahlung: {link}
Abonniere meinen Kanal, ich abonniere zurück! {link}
Sehr informativ. Schauen Sie auch auf meiner Webseite vorbei: {link}
Ich habe mein verlorenes Geld dank eines Experten zurückbekommen. Kontakt über Telegram {tg}
"""),
    "fr": _lines("""
Super article ! Visitez mon site pour les meilleurs services SEO : {link}
Achetez du {kw} sans ordonnance, livraison discrète : {link}
Je gagne 500 € par jour depuis chez moi, sans expérience ! {link}
Prêt entre particuliers sérieux, taux de 2 %, réponse en 24h. Contact WhatsApp {phone}
Votre compte a été suspendu. Veuillez vérifier vos informations ici : {link}
Merci pour le partage, très intéressant. {link}
Des célibataires près de chez vous vous attendent 😘 {link}
Casino en ligne : 100 tours gratuits sans dépôt ! {link}
J'ai récupéré mes bitcoins volés grâce à un expert, contactez-le sur Telegram {tg}
Abonnez-vous à ma chaîne svp 🙏 {link}
"""),
    "es": _lines("""
¡Excelente artículo! Visita mi página para los mejores servicios SEO: {link}
Compra {kw} sin receta, envío discreto: {link}
Gano 500 € al día desde casa sin experiencia. ¡Empieza hoy! {link}
Préstamos rápidos sin aval, dinero en 24 horas. WhatsApp {phone}
Su cuenta ha sido suspendida. Verifique sus datos aquí: {link}
Gracias por compartir, muy buena información. {link}
Chicas solteras cerca de ti quieren conocerte 💋 {link}
Gana dinero con bitcoin, yo invertí 200 dólares y ahora gano 3.000 por semana. Escríbeme por Telegram {tg}
Suscríbete a mi canal y te sigo de vuelta!! {link}
Casino online con 100 giros gratis sin depósito {link}
"""),
    "pt": _lines("""
Ótimo artigo! Visite meu site para os melhores serviços de SEO: {link}
Ganhe R$ 500 por dia trabalhando em casa! Sem experiência. {link}
Empréstimo rápido sem consulta ao SPC/Serasa, aprovação imediata: {link}
Sua conta foi bloqueada. Confirme seus dados em {link}
Investi 500 reais em bitcoin e hoje ganho 5 mil por semana. Chama no WhatsApp {phone}
Obrigado por compartilhar, muito bom. {link}
Mulheres solteiras perto de você 😍 {link}
Se inscreve no meu canal por favor!! 🙏 {link}
Cassino online com 200 rodadas grátis: {link}
Compre {kw} sem receita com entrega discreta {link}
"""),
    "it": _lines("""
Ottimo articolo! Visita il mio sito per i migliori servizi SEO: {link}
Acquista {kw} senza ricetta, spedizione discreta: {link}
Guadagno 500 € al giorno da casa, senza esperienza! {link}
Prestiti veloci senza garanzie, contattami su WhatsApp {phone}
Il tuo account è stato sospeso. Verifica i tuoi dati qui: {link}
Grazie per la condivisione. {link}
Iscriviti al mio canale per favore 🙏 {link}
Casinò online con 100 giri gratis {link}
"""),
    "nl": _lines("""
Geweldig artikel! Bezoek mijn site voor de beste SEO-diensten: {link}
Ik verdien 500 euro per dag vanuit huis, zonder ervaring! {link}
Snel geld lenen zonder BKR-toetsing: {link}
Uw rekening is geblokkeerd. Verifieer uw gegevens via {link}
Koop {kw} zonder recept, discrete verzending {link}
Bedankt voor het delen. {link}
Online casino met 100 gratis spins {link}
"""),
    "pl": _lines("""
Świetny artykuł! Odwiedź moją stronę z najlepszymi usługami SEO: {link}
Zarabiam 500 zł dziennie w domu, bez doświadczenia! {link}
Szybka pożyczka bez BIK, pieniądze w 15 minut: {link}
Twoje konto zostało zablokowane. Zweryfikuj dane: {link}
Kup {kw} bez recepty, dyskretna wysyłka {link}
Dzięki za artykuł, polecam też {link}
Kasyno online, 100 darmowych spinów {link}
"""),
    "tr": _lines("""
Harika makale! En iyi SEO hizmetleri için siteme göz atın: {link}
Evden günde 500 TL kazanıyorum, deneyim gerekmez! {link}
Deneme bonusu veren siteler 2026 {link}
Hesabınız askıya alındı. Bilgilerinizi doğrulayın: {link}
Kanalıma abone olur musunuz 🙏 {link}
Bahis siteleri en yüksek oranlar, hemen üye ol {link}
"""),
    "sv": _lines("""
Bra artikel! Besök min sida för bästa SEO-tjänster: {link}
Snabblån utan UC, pengarna direkt: {link}
"""),
    "ru": _lines("""
Отличная статья! Заходите на мой сайт: {link}
Заработок от 5000 рублей в день без вложений! {link}
Займы онлайн без отказа, деньги за 5 минут {link}
Продвижение сайтов в ТОП Яндекса недорого {link}
Казино онлайн, бонус 500% {link}
"""),
}

LANG_KW: dict[str, list[str]] = {
    "de": ["Viagra", "Cialis", "Potenzmittel"],
    "fr": ["viagra", "cialis"],
    "es": ["viagra", "cialis"],
    "pt": ["viagra", "cialis"],
    "it": ["viagra", "cialis"],
    "nl": ["viagra", "kamagra"],
    "pl": ["viagrę", "cialis"],
}

# --- Further hand-written spam: short, long, replies, link-less, contextual.

SPAM_EN_MORE: dict[str, list[str]] = {
    "seo": _lines("""
I found this {topic} article very useful. For more tips on {kw} visit {link}
Informative post about {topic}! We at {link} offer professional {kw} at affordable prices.
Admin, do you accept guest posts? I can pay $50 per do-follow link. Email me: outreach.{first}@{maildomain}
Hi, I am an SEO expert with 10+ years experience. I will make your website rank on the first page of Google. Contact on WhatsApp {phone}
Very helpful article. || I have also written about {kw} on my blog, please check it: {link} || Thanks and regards
Best {kw} company in London, Dubai and New York. {link} {link2} {link3}
"""),
    "pharma": _lines("""
Thanks for the article about {topic}. If you suffer from ED, try {kw} from {link}, it changed my life.
Do you want to buy {kw} cheap? We ship to USA, UK, Canada, Australia without prescription. Contact: {link}
I ordered {kw} from this pharmacy and it arrived in 3 days, genuine product!! {link}
Great post! || BUY {kw} ONLINE || ✅ No prescription ✅ Overnight delivery ✅ Bitcoin accepted || {link}
"""),
    "crypto": _lines("""
@{replyto} I was in the same situation last year. I lost almost everything to an online broker until a friend introduced me to {tgname}. He recovered my funds in less than a week. Message him on Telegram {tg}
I'm so happy to share my testimony. I invested $1,000 with {tgname} and received $13,500 after 7 days. No stress, no scam. || Contact on WhatsApp: {phone} || Telegram: {tg}
Everyone talking about interest rates while I'm making 30% a month trading crypto with my mentor. Search "{tgname} trading" on Google.
Still working for someone else? Bitcoin changed my life. DM me on Instagram or Telegram {tg} for the strategy.
Hello everyone, I want to use this medium to thank {tgname} for helping me recover my stolen USDT worth $240,000. I had lost hope after the investment platform locked my account and asked me to pay "taxes" to withdraw. || {tgname} traced the wallets and got everything back within 48 hours. He is the best in the recovery business. || Reach out: {tg} / WhatsApp {phone}
"""),
    "loan": _lines("""
@{replyto} if you need money urgently, I got a loan of $20,000 from a reliable lender in 24 hours. Email: {first}.loanfirm@{maildomain}
Bad credit? No problem. Loans from $500 to $50,000, approval in 10 minutes, no collateral. Call or text {phone}
"""),
    "channel": _lines("""
Please like this comment so more people can see my channel 🙏🙏 {link}
Hey everyone! I just started a channel where I review {topic} stuff, would love your support!! {link}
I make beats, check out my soundcloud if you like hip hop {link}
Hi! I'm a 14 year old singer, please check out my cover and subscribe, it would mean a lot ❤️❤️ {link}
Go check out my new video!!! {link}
SUBSCRIBE TO ME AND I WILL SUBSCRIBE BACK!!!
My channel is almost at 500 subscribers, can you help me? Just search "{chan}" on YouTube
Check out my Instagram for daily motivation quotes @{chan}
Hey! I just released my first EP, it's on all platforms, search "{chan}" on Spotify 🎧
"""),
    "adult": _lines("""
@{replyto} hey handsome 😘 check my profile
I'm looking for a real man, I'm tired of boys. My photos are here 👉 {link}
Private videos available, message me on Telegram {tg} 🔥
Want to have fun tonight? Write me on WhatsApp {phone} 💋
"""),
    "phishing": _lines("""
Dear customer, we have detected suspicious activity on your bank account. To avoid permanent suspension please login and confirm your identity: {link}
[ADMIN NOTICE] Your comment account will be deleted in 24h. Verify here: {link}
Your Netflix membership is on hold. We're having trouble with your current billing information. Update now: {link}
PayPal: You have received $750.00. To accept this payment, confirm your account at {link}
"""),
    "giveaway": _lines("""
Guys I got a $100 Amazon gift card for free from this site, it really works: {link}
Only 3 hours left to claim your FREE Samsung Galaxy! {link}
Elon is giving away 5,000 BTC to celebrate! Send any amount and receive double back: {link}
"""),
    "wfh": _lines("""
@{replyto} if you're struggling financially, I started working online 6 months ago and now earn $7,000 a month part time. Details on my profile.
Single mom of 3 here, I earn $6,500 monthly working from home on my phone. Anyone can do it. Message me on WhatsApp {phone}
I'm making over $18k a month working part time. I kept hearing other people tell me how much money they can make online so I decided to look into it. Well, it was all true and has totally changed my life. This is what I do... {link}
Hiring! Simple online tasks, 2 hours a day, weekly pay. Contact HR on Telegram {tg}
"""),
    "essay": _lines("""
Hello students! Need help with your {topic} assignment? Our PhD writers deliver in 3 hours. WhatsApp {phone}
We write essays, dissertations, research papers, lab reports. 100% plagiarism-free, on-time delivery, 24/7 support. {link}
"""),
    "casino": _lines("""
I just won $3,200 on this casino with the welcome bonus, withdrawal in 5 minutes!! {link}
Best crash game strategy, I win every day. Telegram {tg}
Football betting fixed matches 100% sure, contact {tg}
"""),
    "spell": _lines("""
@{replyto} I was in your shoes 2 months ago. My wife left with the kids and I contacted Dr. Amara, a spell caster. She came back after 3 days. Contact him on WhatsApp {phone}
All thanks to Dr. Lavender for curing my HIV with his herbal medicine. I have been negative for 8 months now. Email: drlavender.herbal@{maildomain}
"""),
    "generic": _lines("""
Good post
Nice
nice post
Thanks
visit {link}
{link}
👉👉 {link}
{link} {link2} {link3} {link4}
Thanks for sharing. Regards {link}
Good information, keep it up!!!
Wow nice article!! 😍😍
hello
very good
Hi admin
Check my profile 👆
Interesting, I will bookmark your site.
Valuable information. Regards, {kw} team.
Thank you for this informative blog about {topic}.
I agree with you. Visit us for {kw}.
Great article about {topic}, keep writing! {link}
Hi, I'm {first}. I've been reading your blog for a while now and finally got the courage to go ahead and give you a shout out. Just wanted to say keep up the good job! {link}
What a stuff of un-ambiguity and preserveness of precious know-how concerning unpredicted feelings. {link}
Hello there! I could have sworn I've been to this blog before but after browsing through some of the post I realized it's new to me. Anyways, I'm definitely glad I found it and I'll be book-marking and checking back frequently! {link}
Pretty section of content. I just stumbled upon your weblog and in accession capital to assert that I acquire in fact enjoyed account your blog posts. Any way I'll be subscribing to your feeds and even I achievement you access consistently quickly. {link}
Search "{kw}" on Google and click the first result, you will thank me
Contact me on WhatsApp {phone} for more details
message me on telegram {tg} 💰💰💰
Please contact me on Telegram {tg} I have something important to share with you
Add me on WhatsApp {phone} 😊
"""),
}

SPAM_SUFFIX = _lines("""
Thanks!
Thank you.
Regards.
Have a nice day.
Best regards
God bless.
Don't miss it!
Limited offer.
Hurry!
Thank me later.
""")

SPAM_LANG_MORE: dict[str, list[str]] = {
    "de": _lines("""
Guter Beitrag
Danke für die Infos! {link}
Verdiene 300 € täglich mit Krypto! Schreib mir auf Telegram {tg}
Ich suche einen ernsthaften Mann, schreib mir 😘 {link}
@{replyto} ich hatte das gleiche Problem, bis ich einen Experten gefunden habe. WhatsApp {phone}
Sie haben ein iPhone 17 gewonnen! Jetzt Gewinn abholen: {link}
Hausarbeit schreiben lassen, schnell und günstig: {link}
"""),
    "fr": _lines("""
Bon article
Gagnez 300 € par jour avec le trading crypto ! Telegram {tg}
Je cherche un homme sérieux, écris-moi 😘 {link}
@{replyto} j'ai eu le même problème, j'ai trouvé un expert qui m'a aidé. WhatsApp {phone}
Vous avez gagné un iPhone 17 ! Réclamez votre cadeau : {link}
Marabout puissant, retour de l'être aimé en 48h. Contact WhatsApp {phone}
"""),
    "es": _lines("""
Buen artículo
Gana 300 euros al día con criptomonedas, escríbeme a Telegram {tg}
Busco un hombre serio, escríbeme 😘 {link}
@{replyto} yo tuve el mismo problema hasta que encontré a un experto. WhatsApp {phone}
¡Has ganado un iPhone 17! Reclama tu premio aquí: {link}
Hacemos tu TFG o tesis, rápido y barato: {link}
"""),
    "pt": _lines("""
Bom artigo
Ganhe 300 reais por dia com cripto, me chama no Telegram {tg}
Procuro um homem sério, me chama 😘 {link}
@{replyto} eu tive o mesmo problema até encontrar um especialista. WhatsApp {phone}
Você ganhou um iPhone 17! Resgate seu prêmio: {link}
Fazemos seu TCC rápido e barato, chama no zap {phone}
Renda extra de 5 mil por mês trabalhando pelo celular, link na bio
Pix caiu na hora! Plataforma pagando muito: {link}
"""),
    "it": _lines("""
Bell'articolo
Guadagna 300 euro al giorno con le criptovalute, scrivimi su Telegram {tg}
Cerco un uomo serio, scrivimi 😘 {link}
Hai vinto un iPhone 17! Ritira il premio qui: {link}
@{replyto} avevo lo stesso problema finché non ho trovato un esperto. WhatsApp {phone}
"""),
    "nl": _lines("""
Mooi artikel
Verdien 300 euro per dag met crypto, stuur me een bericht op Telegram {tg}
U heeft een iPhone 17 gewonnen! Claim hier uw prijs: {link}
@{replyto} ik had hetzelfde probleem tot ik een expert vond. WhatsApp {phone}
"""),
    "pl": _lines("""
Dobry artykuł
Zarabiaj 300 zł dziennie na kryptowalutach, napisz na Telegram {tg}
Wygrałeś iPhone 17! Odbierz nagrodę: {link}
@{replyto} miałem ten sam problem, pomógł mi ekspert. WhatsApp {phone}
"""),
    "tr": _lines("""
Güzel yazı
Kriptoda günde 3000 TL kazan, Telegram {tg}
iPhone 17 kazandınız! Ödülünüzü alın: {link}
Takipçi satın al, en ucuz fiyatlar {link}
"""),
    "sv": _lines("""
Bra inlägg
Tjäna 3000 kr om dagen hemifrån! {link}
Du har vunnit en iPhone 17! Hämta ditt pris: {link}
"""),
    "ru": _lines("""
Хорошая статья
Работа на дому, 3000 рублей в день, пишите в Телеграм {tg}
Купить дипломы недорого {link}
Ставки на спорт, договорные матчи, пишите {tg}
Интим знакомства в вашем городе {link}
"""),
}

TOPIC_WORDS: dict[str, list[str]] = {
    "politics": ["politics", "the budget", "elections", "tax"],
    "local": ["your city", "local news", "roads"],
    "sport": ["football", "sports", "running", "fitness"],
    "science": ["science", "space", "batteries"],
    "tech": ["technology", "smartphones", "laptops", "cyber security"],
    "food": ["cooking", "recipes", "healthy food", "baking"],
    "travel": ["travel", "Lisbon", "Japan", "hiking"],
    "music": ["music", "festivals", "vinyl"],
    "film": ["movies", "cinema", "Netflix series"],
    "health": ["health", "vaccines", "diabetes", "sleep"],
    "finance": ["finance", "mortgages", "bitcoin", "investing"],
}
CHANNEL_NAMES = [
    "GamerBoyTV",
    "DJ Krypt0",
    "CookingWithZara",
    "lil vortexx",
    "NovaaBeats",
    "mia.sings",
    "TechWithTom2",
    "motivation.daily.ok",
    "FunnyCatsHD",
    "prankstar_official",
]

SPAM_EN_LONG: dict[str, list[str]] = {
    "crypto": _lines("""
I never believed in online testimonies until it happened to me. In March I invested $52,000 in what I thought was a regulated trading platform. For two months my dashboard showed profits every day, so I added more. When I tried to withdraw, they asked for a 15% "release fee", then a "tax clearance", then an "anti-money laundering deposit". || I was devastated and ashamed to tell my family. A colleague told me about {tgname}, a certified fund recovery specialist. I was skeptical, but within 72 hours the funds were back in my wallet. || If you have been scammed by any fake broker or crypto platform, don't give up. Contact {tgname} on Telegram {tg} or WhatsApp {phone}. God bless you all.
Hello viewers, my name is {first} from Texas. I want to share how I went from being broke to earning $15,000 every month. After losing my job during the pandemic I was introduced to bitcoin trading by a friend but I kept losing money because I didn't know the right strategy. || Then I found an expert trader, {tgname}, who manages my account and I make profits every week without doing anything. I was able to pay off my mortgage and buy a new car. || You can reach out on Telegram {tg} and tell them {first} referred you. Thank me later!
"""),
    "seo": _lines("""
Hi there! This is my first visit to your blog! We are a team of volunteers and starting a new initiative in a community in the same niche. Your blog provided us valuable information to work on. You have done a extraordinary job! || By the way, if you ever need help with {kw}, our agency offers affordable packages: on-page optimisation, link building, local citations and content writing. We have helped 500+ businesses reach page one. || Visit {link} or email us at hello@{maildomain} for a free audit.
Hello webmaster, || I was checking your website and noticed it does not appear on the first page of Google for many important keywords. This means you are losing customers to your competitors every single day. || We are a professional {kw} company with clients in the USA, UK, Canada and Australia. Our services include: || 1. Keyword research 2. On-page SEO 3. High DA backlinks 4. Social media marketing 5. Website redesign || Reply to this comment or visit {link} for a free quote. Best regards, {first}
"""),
    "spell": _lines("""
My name is {first} and I want to thank Dr. Amara for what he has done for me. My husband of 12 years left me and the kids for a younger woman and I tried everything to get him back. I cried day and night. || Then I read a comment online about this great spell caster and decided to give it a try. He told me what to do and performed a reunion spell. Within 3 days my husband came back home on his knees begging for forgiveness. We are now happier than ever. || Dr. Amara can also help with: lottery spells, pregnancy spells, promotion at work, court cases, cure for herpes and HIV. || WhatsApp: {phone} || Email: dramara.temple@{maildomain}
"""),
    "wfh": _lines("""
I am making $200 to $300 per hour working online from home. Last month I got paid $28,000 for this online job. I was jobless for a year and now I am earning good money from home. Everyone can now get this job and start making cash online just by following the instructions on this site. || I have never been so happy in my life. This is the best online job I have ever had. || Start here >>>>> {link}
"""),
    "loan": _lines("""
Good day everyone, I am {first} from Manchester. I want to share my testimony about how I got my loan after being scammed by several fake lenders who took my money and never delivered. || I was in serious financial trouble and needed $30,000 to save my business. A friend introduced me to a legitimate lending company and they gave me the loan at 2% interest within 24 hours, no collateral, no credit check. || If you need a personal loan, business loan or mortgage, contact them now. Email: {first}.lending@{maildomain} || WhatsApp: {phone}
"""),
}

# --- Link-less spam: the keywords are the message, the payload sits in the homepage
# field or in a search the reader is told to do.
SPAM_EN_NOLINK: dict[str, list[str]] = {
    "pharma": _lines("""
{kw} and {kw2} cheap, order now
cheap {kw} online, order today, fast delivery
Buy {kw} now! Best price, no prescription needed
generic {kw} 50mg 100mg 200mg lowest prices
{kw} {kw2} {kw3} no rx overnight shipping
Order {kw} online without a doctor. Discreet packaging.
Cheapest {kw} on the internet, 90% off, order now!!
Need {kw}? Pharmacy online, worldwide shipping, pay by bitcoin
Best place to buy {kw} without prescription? Click my name
discount {kw} and {kw2}, free pills with every order
"""),
    "casino": _lines("""
free spins no deposit bonus casino 2026
Best online casino, 500% welcome bonus, withdraw instantly
Win real money playing slots, bonus code WIN777
online casino real money no deposit free spins
"""),
    "loan": _lines("""
payday loans bad credit instant approval, apply today
Fast cash loan, no credit check, money in 1 hour
Need money fast? Loans up to $5000, no credit check, approved today
"""),
    "seo": _lines("""
cheap seo services, high quality backlinks, rank #1 on google
Buy backlinks cheap, DA 90+, fast indexing
best seo company, guaranteed first page ranking
"""),
    "adult": _lines("""
hot girls live cam free chat now
Horny singles want to meet you tonight, click my name 😘
free adult dating, no credit card, meet tonight
"""),
    "wfh": _lines("""
Earn $500 a day from home, no experience needed, start today
Make money online fast, $300 daily guaranteed, click my name
"""),
    "essay": _lines("""
cheap essay writing service, plagiarism free, fast delivery
Write my essay cheap, A+ guaranteed, 24/7 support
"""),
    "giveaway": _lines("""
FREE iPhone giveaway, claim now, limited units left!!!
Free gift card generator 2026 working no survey
"""),
}


# Self-promotion as comment forms get it under articles too: "my channel", "my new video",
# "follow me", gift-card bait.  Many carry no link at all (the handle is the payload).
SPAM_EN_SELFPROMO: dict[str, list[str]] = {
    "channel": _lines("""
Great article but have you seen my channel? New upload every Friday, hit subscribe!
I just dropped my first music video, go watch it and leave a like {link}
Hi everyone, I started a cooking channel last month, subscribing would help me so much
Anyone want to grow together? Sub to me and I sub you back within the hour
my new video is about this exact topic, check it out and subscribe for more {link}
I do daily vlogs now!! Follow me for more, link is on my profile
Go follow me on insta, I post beats every day, you won't regret it {link}
Visit my channel for funny clips, only 300 subscribers so far, help me reach 1k!!!
If you like this you will LOVE my playlist, search my name on YouTube and subscribe
Please give my new song a listen, it took me 3 months to record {link}
Help a small creator out: one view and one sub from each of you would change my life
Like this comment so more people see my channel 🙏 {link}
I review phones on my channel, the latest one is up now, subscribe and ring the bell {link}
Quick favour: watch my video till the end and comment, the algorithm needs it {link}
New cover out now on my channel!! thumbs up if you subscribed
Follow me on TikTok for daily memes, same name as here 😎
Check out my page, I upload speedpaints and tutorials every week {link}
Hey, I'm trying to reach 10k followers by Christmas, please follow me back {link}
Just uploaded a remix of this song, go give it a listen and subscribe {link}
Who wants free subscribers? Subscribe to me first and comment DONE
My band just released our debut EP, stream it now and follow us everywhere {link}
Don't scroll past!! Small streamer here, come hang out on my live tonight {link}
Subscribe to my channel, I promise you will laugh at least once 😂
Watch my reaction video to this, link in my bio, and subscribe please
"""),
    "giveaway": _lines("""
FREE gift cards for the first 100 people, just go to {link} and enter your email
I got a $100 gift card for free in 2 minutes, try it yourself {link}
Want free game credits? No survey, works on every phone {link}
Free Amazon gift card codes are being given away right now, hurry {link}
Get free followers and likes instantly, no password needed {link}
Claim your free iTunes card before they run out!! {link}
I can't believe this works, free store credit every day {link}
"""),
}


SPAM_EN_ALL = _merged(
    SPAM_EN, SPAM_EN_MORE, SPAM_EN_LONG, SPAM_EN_MORE2, SPAM_EN_NOLINK, SPAM_EN_SELFPROMO
)
SPAM_LANG_ALL = _merged(SPAM_LANG, SPAM_LANG_MORE, SPAM_LANG_MORE2)

SPAM_OPENERS = _lines("""
Great article!
Nice post.
Thanks for sharing.
Very informative.
Wonderful blog.
Hello everyone,
Hi all,
Interesting read.
I agree with this.
Amazing!!
""")

# Homoglyphs: Latin letter -> visually identical Cyrillic letter.
HOMOGLYPHS = {
    "a": "\u0430",
    "e": "\u0435",
    "o": "\u043e",
    "p": "\u0440",
    "c": "\u0441",
    "x": "\u0445",
    "y": "\u0443",
    "i": "\u0456",
    "A": "\u0410",
    "E": "\u0415",
    "O": "\u041e",
    "C": "\u0421",
    "P": "\u0420",
}
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]


def fullwidth(text: str) -> str:
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text
    )


def obf_word(rng: random.Random, word: str) -> str:
    """Obfuscate one word in one of the ways spammers use."""
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice([" ", ".", "-", "*", " . "]).join(word)
    if kind == 1:
        return "".join(LEET.get(c.lower(), c) if rng.random() < 0.6 else c for c in word)
    if kind == 2:
        return fullwidth(word)
    if kind == 3:
        zw = rng.choice(ZERO_WIDTH)
        return zw.join(word) if rng.random() < 0.5 else word[:2] + zw + word[2:]
    if kind == 4:
        return "".join(HOMOGLYPHS.get(c, c) for c in word)
    return word.upper()


def obf_link(rng: random.Random, link: str) -> str:
    """Break a link so naive URL matching misses it."""
    kind = rng.randrange(6)
    if kind == 0:
        return link.replace(".", " . ").replace("/", " / ")
    if kind == 1:
        return link.replace("https://", "h t t p s : / / ").replace("http://", "h t t p : / / ")
    if kind == 2:
        return link.replace(".", "[dot]").replace("https://", "").replace("http://", "")
    if kind == 3:
        return link.replace("http", "hxxp").replace(".", "(.)")
    if kind == 4:
        return link.replace(".", " dot ")
    return "".join(c + ("\u200b" if c in "./" else "") for c in link)


def html_link(rng: random.Random, link: str, label: str) -> str:
    href = link if link.startswith("http") else "http://" + link
    kind = rng.randrange(4)
    if kind == 0:
        return f'<a href="{href}">{label}</a>'
    if kind == 1:
        return f'<a href="{href}&amp;utm_source=comment" rel="dofollow">{label}</a>'
    if kind == 2:
        return f"[url={href}]{label}[/url]"
    return f"[{label}]({href})"


CAT_WEIGHTS = {
    "seo": 14,
    "pharma": 9,
    "crypto": 12,
    "loan": 6,
    "channel": 16,
    "adult": 6,
    "phishing": 6,
    "giveaway": 5,
    "wfh": 7,
    "essay": 4,
    "casino": 6,
    "spell": 4,
    "generic": 14,
}


def spam_author(rng: random.Random, lang: str, cat: str, link: str) -> tuple[str, str, str]:
    name, local, slug = person(rng, lang)
    r = rng.random()
    if r < 0.38:
        name = rng.choice(SPAM_NAMES[cat])
        local = _ascii(name.replace(" ", "")) or local
        if rng.random() < 0.12:
            name = " ".join(obf_word(rng, w) if len(w) > 3 else w for w in name.split(" "))
    elif r < 0.45:
        name = rng.choice(SPAM_NAMES["generic"] + SPAM_NAMES["seo"])
    elif r < 0.5:
        # Name field used to carry a link, as some bots do.
        name = rng.choice([link.split(" ")[0], f"{name} - {rng.choice(SPAM_NAMES[cat])}"])
    dom = rng.choice(SPAMMY_MAIL_DOMAINS) if rng.random() < 0.15 else rng.choice(MAIL_DOMAINS)
    if rng.random() < 0.15:
        local = _code(rng, rng.randint(6, 10)).lower()
    email = "" if rng.random() < 0.07 else f"{local}@{dom}"
    url = ""
    ru = rng.random()
    if ru < 0.32:
        url = link if link.startswith("http") else "http://" + link.split(" ")[0]
    elif ru < 0.5:
        url = "https://" + rng.choice(SHOPS[cat] if cat != "channel" else SHOPS["generic"])
    elif ru < 0.56:
        url = rng.choice([f"https://{slug}.blog.example", f"http://{slug}.example.net/"])
    return name, email, url


LANG_CATEGORY_HINTS: list[tuple[str, list[str]]] = [
    ("seo", ["SEO", "ТОП"]),
    (
        "crypto",
        ["bitcoin", "Bitcoin", "Krypto", "crypto", "cripto", "kryptowalut", "Kripto", "Telegram"],
    ),
    (
        "loan",
        [
            "Kredit",
            "Prêt",
            "Préstamo",
            "Empréstimo",
            "Prestiti",
            "lenen",
            "pożyczka",
            "Snabblån",
            "kredyty",
            "Займы",
        ],
    ),
    ("casino", ["asino", "Kasyno", "Bahis", "bonus", "Казино", "Ставки"]),
    (
        "phishing",
        [
            "sperrt",
            "suspendu",
            "suspendida",
            "bloqueada",
            "sospeso",
            "geblokkeerd",
            "zablokowane",
            "spärrats",
            "заблокирован",
            "askıya",
        ],
    ),
    ("giveaway", ["iPhone", "Amazon"]),
    ("essay", ["Hausarbeit", "TFG", "TCC", "дипломы"]),
    ("spell", ["Marabout", "Voyance"]),
    ("pharma", ["{kw}"]),
    ("adult", ["💋", "😍", "😘", "Интим"]),
    ("channel", ["anal", "abone", "canal", "chaîne", "kanał", "YouTube"]),
    ("wfh", ["500", "Renda", "Tjäna", "Работа"]),
]
TG_NAMES = [
    "Mr. Kevin Moore",
    "Recovery Pro",
    "Hack Genius",
    "expert Daniel",
    "Mrs. Amanda Lee",
    "Cyber Assets Recovery",
    "John at FundsBack",
    "Mr. Bradley Cooper FX",
    "Ethical Hacker Mike",
    "Dr. Steve Crypto",
]


def spam_text(rng: random.Random, art: Article) -> tuple[str, str, str, str]:
    """Returns (text, category, link, language) for one spam comment."""
    # Spam ignores the article's language some of the time.
    lang = art.lang if rng.random() < 0.78 else "en"
    if lang != "en" and lang in SPAM_LANG_ALL and rng.random() < 0.9:
        template = rng.choice(SPAM_LANG_ALL[lang])
        cat = next(
            (key for key, hints in LANG_CATEGORY_HINTS if any(h in template for h in hints)),
            "generic",
        )
        kw = rng.choice(LANG_KW.get(lang, ["viagra"]))
    else:
        lang = "en"
        cat = rng.choices(list(CAT_WEIGHTS), weights=list(CAT_WEIGHTS.values()))[0]
        template = rng.choice(SPAM_EN_ALL[cat])
        if rng.random() < 0.08:
            template = rng.choice([t for t in SPAM_EN_ALL["generic"] if len(t) < 40])
        kw = rng.choice(SPAM_KW.get(cat, SPAM_KW["generic"]))
        if rng.random() < 0.35:
            kw = kw.capitalize()
    link = spam_link(rng, cat)
    if "{link}" in template and rng.random() < 0.12:
        # Some bots keep the text bland and put the link only in the homepage field.
        template = template.replace(" >>> {link} <<<", "").replace("{link}", "").strip(" :>-")

    def show(one: str) -> str:
        r = rng.random()
        if r < 0.13:
            return obf_link(rng, one)
        if r < 0.24:
            return html_link(
                rng, one, rng.choice([kw, "click here", "my site", "here", "best price", one])
            )
        return one

    text = template.replace("{link}", show(link))
    for extra in ("{link2}", "{link3}", "{link4}"):
        text = text.replace(extra, show(spam_link(rng, rng.choice(list(SHOPS)))))
    others = [w for w in SPAM_KW.get(cat, SPAM_KW["generic"]) if w != kw] or [kw]
    text = text.replace("{kw2}", rng.choice(others)).replace("{kw3}", rng.choice(others))
    text = (
        text.replace("{kw}", kw)
        .replace("{phone}", phone(rng))
        .replace("{tg}", tg_handle(rng))
        .replace("{tgname}", rng.choice(TG_NAMES))
        .replace("{maildomain}", rng.choice(SPAMMY_MAIL_DOMAINS + MAIL_DOMAINS[:4]))
        .replace("{first}", _ascii(rng.choice(FIRST["en"])))
        .replace("{topic}", rng.choice(TOPIC_WORDS.get(art.topic, ["this topic"])))
        .replace("{chan}", rng.choice(CHANNEL_NAMES))
    )
    if "{replyto}" in text:
        text = text.replace("{replyto}", person(rng, art.lang)[0].split(" ")[0])
    if (
        lang == "en"
        and rng.random() < 0.16
        and not template.startswith(("Great", "Nice", "Thank", "Hello", "Hi", "@", "nice", "Good"))
    ):
        text = rng.choice(SPAM_OPENERS) + " " + text
    if rng.random() < 0.05 and not text.startswith("@"):
        text = f"{reply_prefix(rng, art.lang)} {text}"
    if rng.random() < 0.3 and lang == "en":
        text = text.rstrip() + rng.choice([" ", " ", "\n\n", "\n"]) + rng.choice(SPAM_SUFFIX)
    # Obfuscate the keyword or a few words.
    if rng.random() < 0.3:
        words = text.split(" ")
        triggers = {
            kw.lower(),
            "viagra",
            "cialis",
            "casino",
            "bitcoin",
            "loan",
            "free",
            "subscribe",
            "channel",
            "crypto",
            "whatsapp",
            "telegram",
            "money",
            "cheap",
            "seo",
            "spins",
            "win",
            "earn",
            "click",
            "profile",
            "recovery",
            "kredit",
            "gratis",
        }
        targets = [i for i, w in enumerate(words) if w.lower().strip(",.!:") in triggers]
        if not targets:
            targets = [
                i for i, w in enumerate(words) if len(w) > 4 and "/" not in w and "." not in w
            ]
        for i in rng.sample(targets, min(len(targets), rng.choice([1, 1, 2, 3]))):
            words[i] = obf_word(rng, words[i])
        text = " ".join(words)
    text = style(rng, text, EMOJI_SPAM, spammy=True)
    if rng.random() < 0.05:
        text = as_html(rng, text)
    return text, cat, link, lang


OBFUSCATION = re.compile(
    "[\u200b-\u200d\u2060\ufeff\uff01-\uff5e]|[A-Za-z][\u0400-\u04ff]|[\u0400-\u04ff][A-Za-z]"
)
PAYLOAD = re.compile(
    r"https?|www|\.[a-z]{2,7}\b|\[dot\]| dot |@\w|\+\d|google|spotify|youtube", re.I
)


def has_payload(text: str) -> bool:
    """Does the text itself carry a link, handle or phone number (however disguised)?"""
    return bool(PAYLOAD.search(unicodedata.normalize("NFKC", text)))


# ---------------------------------------------------------------------------
# Assembly.
# ---------------------------------------------------------------------------


def make_corpus(seed: int = SEED, per_label: int = TARGET_PER_LABEL) -> list[Comment]:
    rng = random.Random(seed)
    articles = build_articles(rng)
    by_lang: dict[str, list[Article]] = {}
    for art in articles:
        by_lang.setdefault(art.lang, []).append(art)
    # Language mix of articles (shared by both labels): mostly English.
    lang_weights = {
        "en": 66,
        "de": 7,
        "fr": 5,
        "es": 5,
        "pt": 4,
        "it": 3,
        "nl": 3,
        "pl": 3,
        "tr": 2,
        "sv": 1,
        "ru": 1,
    }

    def pick_article() -> Article:
        lang = rng.choices(list(lang_weights), weights=list(lang_weights.values()))[0]
        return rng.choice(by_lang[lang])

    seen: set[str] = set()
    rows: list[Comment] = []

    def add(row: Comment) -> bool:
        key = row["content"].strip().casefold()
        if key in seen or not row["content"].strip():
            return False
        seen.add(key)
        rows.append(row)
        return True

    makers: list[tuple[str, Callable[[], Comment]]] = []

    def make_ham() -> Comment:
        art = pick_article()
        name, email, url = ham_author(rng, art.lang)
        text = ham_text(rng, art)
        return {
            "content": text,
            "author_name": name,
            "author_email": email,
            "author_url": url,
            "post_url": art.url,
            "label": "ham",
            "lang": art.lang,
        }

    def make_spam() -> Comment:
        art = pick_article()
        text, cat, link, lang = spam_text(rng, art)
        name, email, url = spam_author(rng, lang, cat, link)
        if not url and not has_payload(text) and rng.random() < 0.8:
            # Bots that post a bland text carry the payload in the homepage field.
            url = spam_link(rng, cat)
            url = url if url.startswith("http") else "http://" + url
        return {
            "content": text,
            "author_name": name,
            "author_email": email,
            "author_url": url,
            "post_url": art.url,
            "label": "spam",
            "lang": lang,
        }

    makers = [("ham", make_ham), ("spam", make_spam)]
    for label, maker in makers:
        made, tries = 0, 0
        while made < per_label and tries < per_label * 200:
            tries += 1
            if add(maker()):
                made += 1
        if made < per_label:
            raise SystemExit(f"only {made} unique {label} comments; add more fragments")
    rng.shuffle(rows)
    return rows


def validate(rows: Sequence[Comment]) -> Counter[str]:
    """Check the invariants the classifier relies on; raise ValueError if one fails."""
    for n, r in enumerate(rows, 1):
        if tuple(r) != KEYS or not all(isinstance(v, str) for v in r.values()):
            raise ValueError(f"row {n}: keys must be exactly {KEYS}")
        if r["label"] not in {"spam", "ham"} or not r["content"].strip():
            raise ValueError(f"row {n}: bad label or empty content")
    labels = Counter(r["label"] for r in rows)
    share = labels["spam"] / max(len(rows), 1)
    if not 0.45 <= share <= 0.55:
        raise ValueError(f"spam share {share:.2%} is outside 45-55%")
    if len({r["content"] for r in rows}) != len(rows):
        raise ValueError("duplicate contents")
    return labels


def stats_table(rows: Sequence[Comment]) -> str:
    """Markdown table of counts by language and label (pasted into SEED_CORPUS.md)."""
    counts = Counter((r["lang"], r["label"]) for r in rows)
    langs = sorted(
        {r["lang"] for r in rows},
        key=lambda lang: (-counts[lang, "ham"] - counts[lang, "spam"], lang),
    )
    out = ["| lang | ham | spam | total |", "|---|---:|---:|---:|"]
    for lang in langs:
        ham, spam = counts[lang, "ham"], counts[lang, "spam"]
        out.append(f"| {lang} | {ham} | {spam} | {ham + spam} |")
    ham = sum(r["label"] == "ham" for r in rows)
    out.append(f"| **all** | {ham} | {len(rows) - ham} | {len(rows)} |")
    out += ["", "| share of comments that ... | ham | spam |", "|---|---:|---:|"]
    checks: dict[str, Callable[[Comment], bool]] = {
        "have an `author_url`": lambda r: bool(r["author_url"]),
        "have no `author_email`": lambda r: not r["author_email"],
        "carry a link, an @name or a phone number in the text": lambda r: has_payload(r["content"]),
        "are under 40 characters": lambda r: len(r["content"]) < 40,
        "are over 300 characters": lambda r: len(r["content"]) > 300,
        "have several paragraphs": lambda r: "\n" in r["content"],
        "are written in capitals": lambda r: r["content"].isupper(),
        "reply to someone (`@name`)": lambda r: r["content"].lstrip("\ufeff").startswith("@"),
        "contain HTML tags or entities": lambda r: bool(
            re.search(r"<[a-z]|&[#a-z0-9]+;", r["content"])
        ),
        "are not in English": lambda r: r["lang"] != "en",
    }
    for label_text, check in checks.items():
        shares = []
        for label in ("ham", "spam"):
            group = [r for r in rows if r["label"] == label]
            shares.append(f"{sum(map(check, group)) / max(len(group), 1):.0%}")
        out.append(f"| {label_text} | {shares[0]} | {shares[1]} |")
    obfuscated = sum(1 for r in rows if r["label"] == "spam" and OBFUSCATION.search(r["content"]))
    out += [
        "",
        f"Spam with zero-width, full-width or Cyrillic look-alike characters: {obfuscated}.",
    ]
    return "\n".join(out)


def render(rows: Sequence[Comment]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT_PATH)
    parser.add_argument("--check", action="store_true", help="fail if the file on disk is stale")
    parser.add_argument("--stats", action="store_true", help="print label and language counts")
    args = parser.parse_args(argv)
    rows = make_corpus()
    validate(rows)
    text = render(rows)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != text:
            print(f"{args.out} is stale; rerun make_seed_corpus.py", file=sys.stderr)
            return 1
        return 0
    args.out.write_text(text, encoding="utf-8")
    if args.stats:
        print(stats_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
