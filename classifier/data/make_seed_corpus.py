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
import string
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

SEED = 20260301
TARGET_PER_LABEL = 700
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
]
SPAMMY_MAIL_DOMAINS = [
    "tempbox.example",
    "promo-mail.example",
    "seo-agency.example",
    "fastcash.example",
    "mailnow.test",
    "bulkmail.example",
    "inbox-ru.example",
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

EMOJI_HAM = ["👍", "😊", "🙂", "😂", "🤔", "🙄", "😡", "❤️", "👏", "😢", "🤦", "😅", "⚽", "🎉"]
EMOJI_SPAM = ["🔥", "💰", "💯", "🚀", "✅", "👉", "💵", "😍", "💋", "🎁", "📲", "⭐", "💸", "🤑"]


def typo(rng: random.Random, text: str) -> str:
    """Introduce one realistic slip: swapped, doubled or dropped letter."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
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
    if rng.random() < 0.05:
        text = text.rstrip(".!") + rng.choice(["!!", "!!!", "?!", "..."])
    return text


def ham_text(rng: random.Random, art: Article) -> str:
    lang = art.lang
    if lang == "en":
        r = rng.random()
        topic_pool = EN_TOPIC.get(art.topic, EN_TOPIC["politics"])
        if r < 0.16:
            text = rng.choice(EN_SHORT)
        elif r < 0.3 and art.topic in EN_FULL:
            text = rng.choice(EN_FULL[art.topic])
        else:
            n = rng.choice([1, 1, 1, 2, 2, 3, 4])
            parts = rng.sample(topic_pool, min(n, len(topic_pool)))
            if rng.random() < 0.3:
                parts.insert(0, rng.choice(EN_OPEN))
            if rng.random() < 0.25:
                parts.append(rng.choice(EN_CLOSE))
            sep = "\n\n" if len(parts) >= 3 and rng.random() < 0.5 else " "
            text = sep.join(parts)
        if rng.random() < 0.14:
            first, _, _ = person(rng, "en")
            text = (
                f"@{first.split()[0]} {rng.choice(EN_REPLY)} {text}"
                if rng.random() < 0.6
                else f"@{first.split()[0]} {rng.choice(EN_REPLY)}"
            )
    else:
        pool = LANG_TOPIC.get(lang, {}).get(art.topic, [])
        r = rng.random()
        if r < 0.25 or not pool:
            text = rng.choice(LANG_SHORT[lang])
        else:
            n = rng.choice([1, 1, 2, 2, 3])
            parts = rng.sample(pool, min(n, len(pool)))
            if rng.random() < 0.2:
                parts.insert(0, rng.choice(LANG_SHORT[lang]))
            text = " ".join(parts)
        if rng.random() < 0.12 and lang in LANG_REPLY:
            first, _, _ = person(rng, lang)
            text = f"@{first.split()[0]} {rng.choice(LANG_REPLY[lang])} {text}"
    return style(rng, text, EMOJI_HAM, spammy=False)


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
    r = rng.random()
    scheme = rng.choice(["https://", "http://", "", "https://", "www." * 0])
    if r < 0.3:
        return f"{scheme}{rng.choice(SHORTENERS)}/{_code(rng, rng.randint(5, 8))}"
    shop = rng.choice(SHOPS.get(cat, SHOPS["generic"]))
    path = rng.choice(PATHS)
    if path.endswith("=") or path.endswith("/product/"):
        path += _code(rng, rng.randint(3, 6)).lower()
    if shop.startswith(("youtube", "soundcloud", "spotify")):
        return f"https://{shop}" if rng.random() < 0.7 else shop
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
    "channel": 10,
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
    if r < 0.4:
        name = rng.choice(SPAM_NAMES[cat])
        local = _ascii(name.replace(" ", "")) or local
    elif r < 0.47:
        name = rng.choice(SPAM_NAMES["generic"] + SPAM_NAMES["seo"])
    dom = rng.choice(SPAMMY_MAIL_DOMAINS) if rng.random() < 0.3 else rng.choice(MAIL_DOMAINS)
    if rng.random() < 0.15:
        local = _code(rng, rng.randint(6, 10)).lower()
    email = "" if rng.random() < 0.07 else f"{local}@{dom}"
    url = ""
    ru = rng.random()
    if ru < 0.35:
        url = link if link.startswith("http") else "http://" + link.split(" ")[0]
    elif ru < 0.55:
        url = "https://" + rng.choice(
            SHOPS[cat] if not SHOPS[cat][0].startswith("youtube") else SHOPS["generic"]
        )
    elif ru < 0.6:
        url = f"https://{slug}.blog.example"
    return name, email, url


def spam_text(rng: random.Random, art: Article) -> tuple[str, str, str, str]:
    """Returns (text, category, link, language) for one spam comment."""
    # Spam ignores the article's language some of the time.
    lang = art.lang if rng.random() < 0.75 else "en"
    if lang != "en" and lang in SPAM_LANG and rng.random() < 0.85:
        template = rng.choice(SPAM_LANG[lang])
        cat = "generic"
        for key, words in (
            ("seo", ["SEO", "ТОП"]),
            ("crypto", ["bitcoin", "Bitcoin", "Telegram"]),
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
                    "Займы",
                ],
            ),
            ("casino", ["asino", "Kasyno", "Bahis", "bonus", "Казино"]),
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
                    "askıya",
                ],
            ),
            ("pharma", ["{kw}"]),
            ("adult", ["💋", "😍", "😘"]),
            ("channel", ["anal", "abone", "canal", "chaîne"]),
            ("wfh", ["500"]),
        ):
            if any(w in template for w in words):
                cat = key
                break
        kw = rng.choice(LANG_KW.get(lang, ["viagra"]))
    else:
        lang = "en"
        cat = rng.choices(list(CAT_WEIGHTS), weights=list(CAT_WEIGHTS.values()))[0]
        template = rng.choice(SPAM_EN[cat])
        kw = rng.choice(SPAM_KW.get(cat, SPAM_KW["generic"]))
    link = spam_link(rng, cat)
    shown = link
    r = rng.random()
    if r < 0.12:
        shown = obf_link(rng, link)
    elif r < 0.24:
        shown = html_link(
            rng, link, rng.choice([kw, "click here", "my site", "here", "best price", link])
        )
    first = _ascii(rng.choice(FIRST["en"]))
    text = (
        template.replace("{link}", shown)
        .replace("{kw}", kw)
        .replace("{phone}", phone(rng))
        .replace("{tg}", tg_handle(rng))
        .replace(
            "{tgname}",
            rng.choice(
                [
                    "Mr. Kevin Moore",
                    "Recovery Pro",
                    "Hack Genius",
                    "expert Daniel",
                    "Mrs. Amanda Lee",
                    "Cyber Assets Recovery",
                    "John at FundsBack",
                ]
            ),
        )
        .replace("{maildomain}", rng.choice(SPAMMY_MAIL_DOMAINS + MAIL_DOMAINS[:4]))
        .replace("{first}", first)
    )
    if (
        lang == "en"
        and rng.random() < 0.18
        and not template.lower().startswith(("great", "nice", "thank", "hello", "hi "))
    ):
        text = rng.choice(SPAM_OPENERS) + " " + text
    # Obfuscate the keyword or a few words.
    if rng.random() < 0.3:
        words = text.split(" ")
        targets = [
            i
            for i, w in enumerate(words)
            if w.lower().strip(",.!")
            in {
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
            }
        ]
        if not targets:
            targets = [
                i for i, w in enumerate(words) if len(w) > 4 and "/" not in w and "." not in w
            ]
        for i in rng.sample(targets, min(len(targets), rng.choice([1, 1, 2, 3]))):
            words[i] = obf_word(rng, words[i])
        text = " ".join(words)
    if rng.random() < 0.03:
        text = text.replace("&", "&amp;").replace("!", "&#33;") + " &nbsp;"
    return style(rng, text, EMOJI_SPAM, spammy=True), cat, link, lang


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
