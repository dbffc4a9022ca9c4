"""Deterministic synthetic Atlas project pages, for demo data, tests at scale and benchmarks.

Each page is written in the text format of a real Atlas page (see RECORD.md) with the same
scraping noise (repeated paragraphs, pagination lines, `NA` cells, shifted cells, `[at]`
e-mails, non-breaking spaces), and comes with `expected`: what a correct parse must give.
File names start with `syn_` so synthetic records can never be mistaken for real ones.

Randomness comes only from `random.Random` instances seeded with ints or strings (string
seeds go through SHA-512, not `hash()`), and nothing iterates over a set, so output does not
depend on PYTHONHASHSEED.
"""

from __future__ import annotations

import gettext
import os
import random
import re
import sys
import time
import unicodedata
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import Any

from .synthetic import SYNTHETIC_PREFIX, is_synthetic  # noqa: F401 (re-exported)

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


# --------------------------------------------------------------------------------------------
# Countries: code | name as the Atlas writes it | weight | embassy city | name pool | places.
# Weights follow the shape of French decentralised cooperation: francophone Africa first,
# then EU neighbours, North America, Asia and the Middle East; the rest is a long tail.
_CURATED = """
SN|Sénégal|70|Dakar|afr|Dakar;Saint-Louis;Ziguinchor;Podor;Matam;Thiès;Kaolack;Bakel;Louga;Rufisque
+ Kédougou
BF|Burkina Faso|60|Ouagadougou|afr|Ouagadougou;Bobo-Dioulasso;Koudougou;Ouahigouya;Kaya;Dédougou
+ Fada N'Gourma;Gourcy
ML|Mali|45|Bamako|afr|Bamako;Kayes;Ségou;Mopti;Tombouctou;Sikasso;Yélimané;Nioro du Sahel;Diéma
MA|Maroc|45|Rabat|mag|Rabat;Fès;Marrakech;Agadir;Tanger;Essaouira;Meknès;Oujda;Chefchaouen;Settat
TN|Tunisie|30|Tunis|mag|Tunis;Sousse;Sfax;Monastir;Kairouan;Bizerte;Mahdia;Gabès;Le Kef
MG|Madagascar|30|Antananarivo|mlg|Antananarivo;Mahajanga;Toamasina;Fianarantsoa;Antsirabe;Toliara
+ Ambositra
BJ|Bénin|28|Cotonou|afr|Cotonou;Porto-Novo;Abomey;Ouidah;Parakou;Natitingou;Djougou;Lokossa
CM|Cameroun|22|Yaoundé|afr|Yaoundé;Douala;Bafoussam;Dschang;Garoua;Kribi;Bamenda;Edéa
NE|Niger|20|Niamey|afr|Niamey;Zinder;Maradi;Agadez;Tahoua;Dosso;Tillabéri
CI|Côte d'Ivoire|18|Abidjan|afr|Abidjan;Bouaké;Yamoussoukro;Grand-Bassam;San-Pédro;Korhogo;Daloa
MR|Mauritanie|14|Nouakchott|mag|Nouakchott;Nouadhibou;Rosso;Kaédi;Atar;Sélibaby
TG|Togo|14|Lomé|afr|Lomé;Kpalimé;Atakpamé;Sokodé;Kara;Dapaong;Tsévié
HT|Haïti|14|Port-au-Prince|afr|Port-au-Prince;Jacmel;Cap-Haïtien;Les Cayes;Jérémie;Gonaïves
GN|Guinée|9|Conakry|afr|Conakry;Kindia;Labé;Kankan;Mamou;Boké
CD|République démocratique du Congo|8|Kinshasa|afr|Kinshasa;Lubumbashi;Kisangani;Bukavu;Goma;Matadi
CG|Congo|6|Brazzaville|afr|Brazzaville;Pointe-Noire;Dolisie;Owando
GA|Gabon|6|Libreville|afr|Libreville;Oyem;Port-Gentil;Franceville;Lambaréné
DZ|Algérie|10|Alger|mag|Alger;Oran;Constantine;Tlemcen;Annaba;Béjaïa;Sétif
TD|Tchad|5|N'Djaména|afr|N'Djaména;Moundou;Abéché;Sarh
CF|Centrafrique|3|Bangui|afr|Bangui;Berbérati;Bambari
KM|Comores|5|Moroni|mag|Moroni;Mutsamudu;Fomboni;Domoni
DJ|Djibouti|3|Djibouti|mag|Djibouti;Tadjourah;Ali Sabieh;Obock
CV|Cap-Vert|4|Praia|lus|Praia;Mindelo;Tarrafal;Santa Catarina
RW|Rwanda|3|Kigali|afr|Kigali;Huye;Musanze;Rubavu
DE|Allemagne|45|Berlin|deu|Karlsruhe;Regensburg;Homburg;Bad-Kreuznach;Fribourg-en-Brisgau;Mayence
+ Sarrebruck;Erlangen;Würzburg;Kiel;Tübingen;Potsdam
IT|Italie|30|Rome|ita|Cuneo;Turin;Florence;Bologne;Naples;Pérouse;Sienne;Gênes;Trente;Lecce;Vérone
+ Ravenne
ES|Espagne|26|Madrid|esp|Oviedo;Valladolid;Vitoria-Gasteiz;Aranda de Duero;Lasarte-Oria;Saragosse
+ Séville;Cordoue;Gérone;Pampelune;Valence;Huesca
PL|Pologne|22|Varsovie|est|Olsztyn;Cracovie;Poznań;Wrocław;Gdańsk;Łódź;Lublin;Toruń;Katowice
RO|Roumanie|20|Bucarest|est|Cluj-Napoca;Iași;Timișoara;Sibiu;Brașov;Constanța;Oradea;Suceava
GB|Royaume-Uni|14|Londres|eng|Salford;Exeter;Bristol;Édimbourg;Cardiff;Leeds;Oxford;Canterbury
+ Glasgow
PT|Portugal|12|Lisbonne|lus|Braga;Porto;Coimbra;Guimarães;Évora;Faro;Setúbal;Viseu
BE|Belgique|8|Bruxelles|fra|Liège;Namur;Charleroi;Mons;Louvain-la-Neuve;Tournai;Arlon
HU|Hongrie|8|Budapest|est|Nyiregyhaza;Debrecen;Szeged;Pécs;Győr;Eger
CZ|République tchèque|8|Prague|est|Brno;Olomouc;Plzeň;Ostrava;Tábor;Liberec
IE|Irlande|5|Dublin|eng|Cork;Galway;Limerick;Kilkenny;Sligo
GR|Grèce|5|Athènes|gen|Thessalonique;Patras;Héraklion;Kalamata;Volos
AT|Autriche|5|Vienne|deu|Graz;Salzbourg;Linz;Innsbruck;Klagenfurt
NL|Pays-Bas|4|La Haye|gen|Utrecht;Groningue;Haarlem;Delft;Leyde
BG|Bulgarie|5|Sofia|est|Plovdiv;Varna;Veliko Tarnovo;Bourgas;Roussé
SK|Slovaquie|3|Bratislava|est|Košice;Nitra;Žilina;Banská Bystrica
HR|Croatie|3|Zagreb|est|Split;Rijeka;Dubrovnik;Zadar;Osijek
LT|Lituanie|3|Vilnius|est|Kaunas;Klaipėda;Šiauliai
LU|Luxembourg|3|Luxembourg|fra|Esch-sur-Alzette;Differdange;Echternach
CH|Suisse|5|Berne|fra|Genève;Lausanne;Neuchâtel;Fribourg;Sion;Delémont
MD|Moldavie|6|Chisinau|est|Chisinau;Cahul;Bălți;Orhei;Soroca
UA|Ukraine|8|Kiev|est|Odessa;Lviv;Kharkiv;Tchernihiv;Jytomyr;Vinnytsia
RS|Serbie|4|Belgrade|est|Pirot;Novi Sad;Niš;Kragujevac;Kraljevo
AM|Arménie|8|Erevan|lev|Erevan;Gyumri;Vanadzor;Goris;Sissian;Etchmiadzine
GE|Géorgie|4|Tbilissi|lev|Tbilissi;Koutaïssi;Batoumi;Telavi
RU|Russie|8|Moscou|est|Saint-Pétersbourg;Novossibirsk;Kazan;Iekaterinbourg;Nijni Novgorod;Samara
BY|Bélarus|2|Minsk|est|Gomel;Brest;Vitebsk;Grodno
CA|Canada|20|Ottawa|qbc|Québec;Montréal;Sherbrooke;Trois-Rivières;Gatineau;Saguenay;Rimouski
+ Bridgewater;Moncton
US|Etats-Unis d'Amérique|14|Washington|eng|Norman;Lexington;Greenville;Anderson;Louisville
+ Nouvelle-Orléans;Saint-Louis;Columbus;Savannah;Portland
MX|Mexique|5|Mexico|esp|Santiago de Querétaro;Guadalajara;Oaxaca;Puebla;Mérida;Morelia
BR|Brésil|7|Brasilia|lus|Guarulhos;Belo Horizonte;Porto Alegre;Recife;Curitiba;Salvador;Belém
CL|Chili|4|Santiago|esp|Valparaíso;Concepción;Temuco;La Serena;Valdivia
AR|Argentine|3|Buenos Aires|esp|Córdoba;Rosario;Mendoza;Salta
PE|Pérou|3|Lima|esp|Cusco;Arequipa;Trujillo;Puno
BO|Bolivie|3|La Paz|esp|Cochabamba;Sucre;Potosí;Oruro;El Alto
CO|Colombie|3|Bogota|esp|Medellín;Cali;Carthagène;Bucaramanga
NI|Nicaragua|3|Managua|esp|León;Granada;Estelí;Matagalpa
CU|Cuba|3|La Havane|esp|Santiago de Cuba;Camagüey;Trinidad;Cienfuegos
CN|Chine|18|Pékin|asi|Shanghai;Wuhan;Chengdu;Xi'an;Canton;Hangzhou;Nankin;Kunming;Qingdao;Suzhou
JP|Japon|14|Tokyo|asi|Maebashi;Kyoto;Osaka;Nagoya;Sendai;Niigata;Kanazawa;Okayama;Sapporo
VN|Vietnam|16|Hanoï|asi|Hanoï;Hué;Hô-Chi-Minh-Ville;Da Nang;Haïphong;Lào Cai;Can Tho;Hoi An
IN|Inde|7|New-Delhi|asi|Chennai;Pondichéry;Bangalore;Jaipur;Calcutta;Bombay;Hyderabad
KH|Cambodge|8|Phnom Penh|asi|Phnom Penh;Siem Reap;Battambang;Kampot;Sihanoukville
LA|Laos|5|Vientiane|asi|Vientiane;Luang Prabang;Savannakhet;Paksé
TH|Thaïlande|3|Bangkok|asi|Bangkok;Rayong;Phrapradaeng;Chiang Mai;Khon Kaen
KR|Corée du Sud|5|Séoul|asi|Busan;Daejeon;Gwangju;Jeonju;Incheon
LB|Liban|12|Beyrouth|lev|Beyrouth;Tripoli;Saïda;Tyr;Byblos;Zahlé;Baalbek
PS|Territoires palestiniens|8|Jérusalem|lev|Bethléem;Naplouse;Hébron;Jéricho;Ramallah;Jénine
IL|Israël|4|Tel-Aviv|lev|Haïfa;Beer-Sheva;Ashdod;Netanya
JO|Jordanie|2|Amman|lev|Irbid;Madaba;Zarqa;Aqaba
TR|Turquie|4|Ankara|gen|Izmir;Eskişehir;Bursa;Gaziantep;Antalya
MN|Mongolie|2|Oulan-Bator|asi|Oulan-Bator;Erdenet;Darkhan
EG|Egypte|3|Le Caire|mag|Alexandrie;Louxor;Assouan;Ismaïlia
ZA|Afrique du Sud|3|Pretoria|eng|Le Cap;Durban;Johannesburg;Stellenbosch
MZ|Mozambique|2|Maputo|lus|Maputo;Beira;Nampula;Inhambane
ET|Ethiopie|2|Addis-Abeba|afr|Addis-Abeba;Gondar;Bahir Dar;Lalibela
AU|Australie|2|Canberra|eng|Adélaïde;Melbourne;Perth;Hobart
"""

# Name pools for foreign contacts, by broad language area.
_POOLS: dict[str, tuple[list[str], list[str]]] = {
    "afr": (["Mamadou", "Aminata", "Ousmane", "Fatou", "Abdoulaye", "Awa", "Ibrahima",
             "Mariam", "Moussa", "Adama", "Seydou", "Kadiatou", "Rokia", "Boubacar"],
            ["Diop", "Ndiaye", "Traoré", "Ouédraogo", "Sawadogo", "Diallo", "Koné", "Camara",
             "Keïta", "Sow", "Cissé", "Kaboré", "Zongo", "Coulibaly", "Hounkpè", "Mensah"]),
    "mag": (["Mohamed", "Fatima", "Youssef", "Khadija", "Karim", "Leïla", "Hicham", "Nadia",
             "Samir", "Meriem"],
            ["Benali", "El Amrani", "Bouazizi", "Haddad", "Cherkaoui", "Trabelsi", "Ben Salah",
             "Mansouri", "Ould Ahmed", "Bensaïd"]),
    "mlg": (["Hery", "Voahangy", "Rivo", "Lalao", "Andry", "Fanja", "Tiana"],
            ["Rakotomalala", "Randriamanana", "Rasoanaivo", "Andrianarisoa", "Razafindrakoto"]),
    "deu": (["Anke", "Klaus", "Heike", "Jürgen", "Sabine", "Matthias", "Ursula", "Stefan"],
            ["Müller", "Schmidt", "Meurer", "Ludwig", "Schäfer", "Weber", "Krüger", "Hoffmann"]),
    "ita": (["Monica", "Giuseppe", "Chiara", "Marco", "Francesca", "Luca", "Giulia"],
            ["Rossi", "Arnaudo", "Bianchi", "Esposito", "Romano", "Colombo", "Ricci"]),
    "esp": (["José Ramón", "Amparo", "Iñaki", "Carmen", "Luisa", "Javier", "Lucía", "Pilar"],
            ["Martínez", "García", "Pando Álvarez", "Mugica", "Septién", "Fernández", "López"]),
    "lus": (["João", "Ana", "Rodrigo", "Nuno", "Mariana", "Tiago"],
            ["Barros", "Gouveia", "Silva", "Santos", "Ferreira", "Pereira", "Costa"]),
    "eng": (["Andrew", "Sarah", "Michael", "Emily", "David", "Jennifer", "Thomas"],
            ["Tanner", "Poole", "Smith", "Johnson", "Brown", "Miller", "Antrobus"]),
    "est": (["Katarzyna", "Piotr", "Agnieszka", "Marek", "Andrei", "Ioana", "Olena", "Dmytro",
             "Marija", "Tomáš"],
            ["Winter", "Kowalski", "Nowak", "Popescu", "Ionescu", "Shevchenko", "Horváth",
             "Novák", "Taskov", "Petrova"]),
    "qbc": (["Luc", "Geneviève", "Marc-André", "Isabelle", "Jean-François", "Mélanie"],
            ["Couillard", "Tremblay", "Gagnon", "Côté", "Bouchard", "Lavoie"]),
    "asi": (["Wei", "Li", "Hiroshi", "Yuki", "Minh", "Thi Lan", "Sokha", "Sophea", "Min-jun"],
            ["Wang", "Zhang", "Tanaka", "Sato", "Nguyen", "Tran", "Chhim", "Sok", "Kim"]),
    "lev": (["Rami", "Nour", "Georges", "Rania", "Armen", "Ani", "Elie"],
            ["Khoury", "Nassar", "Sarkissian", "Hakobyan", "Haddad", "Abou Jaoudé"]),
    "fra": (["Pierre", "Sophie", "Nicolas", "Claire", "Julien", "Élodie"],
            ["Dupont", "Lambert", "Peeters", "Renard", "Wagner", "Favre"]),
    "gen": (["Anna", "Nikos", "Eleni", "Pieter", "Mehmet", "Ayşe", "Sven", "Laura"],
            ["Papadopoulos", "De Vries", "Yılmaz", "Janssen", "Demir", "Nielsen"]),
}

# The long tail comes from pycountry (places from its subdivisions), minus France and its
# overseas territories, dependencies, and states that are rarely if ever partners: the Atlas
# counts about 140 partner countries in all.
_NOT_PARTNERS = set(
    "FR AS AI AQ AW BM BV IO KY CK FO GF PF TF GI GL GP GU GG HM IM JE MQ YT MS NC NU NF MP PN "
    "PR RE BL SH PM MF SX GS SJ TK TC UM VG VI WF EH AX BQ CC CX FK HK MO CW KP VA "
    "AD AG BB BH BN BS BT BZ DM FJ FM GD GY IS JM KI KN KW LC LI MC MH MT MV NR OM PG PW QA "
    "SA SC SG SM SR SS TL TM TO TT TV TW VC WS YE SO LY IQ AF SZ LS BW NA GQ ER".split()
)
_LONG_TAIL_NAMES = {"BN": "Brunei", "MK": "Macédoine du Nord", "TZ": "Tanzanie", "SY": "Syrie",
                    "IR": "Iran", "VE": "Venezuela", "FM": "Micronésie", "TW": "Taïwan",
                    "GQ": "Guinée équatoriale"}
_LONG_TAIL_WEIGHT = 0.6


@dataclass(frozen=True)
class _Country:
    code: str
    name: str
    capital: str | None
    pool: str
    places: tuple[str, ...]


@lru_cache(maxsize=1)
def _countries() -> tuple[tuple[_Country, ...], tuple[float, ...]]:
    """All partner countries and their cumulative weights (built once, deterministic order)."""
    import pycountry  # local: only page generation needs it

    out: list[_Country] = []
    weights: list[float] = []
    # "+ " lines continue the previous line's place list (keeps the table within 100 columns).
    for line in _CURATED.strip().replace("\n+ ", ";").splitlines():
        code, name, weight, capital, pool, places = line.split("|")
        out.append(_Country(code, name, capital, pool, tuple(places.split(";"))))
        weights.append(float(weight))
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    curated = {c.code for c in out}
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = c.alpha_2
        if code in curated or code in _NOT_PARTNERS:
            continue
        name = _LONG_TAIL_NAMES.get(code) or french.gettext(c.name)
        if "," in name or "(" in name:
            continue
        subs = sorted(s.name for s in pycountry.subdivisions.get(country_code=code) or []
                      if _plain_place(s.name))
        out.append(_Country(code, name, None, "gen", tuple(subs[:12]) or (name,)))
        weights.append(_LONG_TAIL_WEIGHT)
    return tuple(out), tuple(accumulate(weights))


def _plain_place(name: str) -> bool:
    # Periods, brackets and pipes would break sentence splitting or table cells.
    return bool(name) and not any(ch in name for ch in ".()[]|,;/")


# --------------------------------------------------------------------------------------------
# French partner authorities: (name in the table, text form with article).
_COMMUNES = (
    "Lyon", "Clermont-Ferrand", "Saint-Étienne", "Grenoble", "Nantes", "Rennes", "Lille",
    "Bordeaux", "Toulouse", "Montpellier", "Strasbourg", "Marseille", "Nancy", "Metz", "Dijon",
    "Besançon", "Poitiers", "Limoges", "Angers", "Le Mans", "Tours", "Orléans", "Rouen",
    "Caen", "Brest", "Lorient", "Quimper", "Chambéry", "Annecy", "Villeurbanne",
    "Vénissieux", "Aubervilliers", "Montreuil", "Ivry-sur-Seine", "Cergy", "Évry-Courcouronnes",
    "Aix-en-Provence", "Avignon", "Nîmes", "Perpignan", "Pau", "Bayonne", "La Rochelle",
    "Niort", "Amiens", "Reims", "Troyes", "Mulhouse", "Colmar", "Belfort", "Valence",
    "Romans-sur-Isère", "Le Puy-en-Velay", "Aurillac", "Albi", "Rodez", "Cahors", "Agen",
    "Châlons-en-Champagne", "Saint-Nazaire", "Laval", "Cholet", "Issy-les-Moulineaux",
    "Saint-Denis", "Nanterre", "Boulogne-Billancourt", "Épinal", "Vannes", "Saint-Brieuc",
)
# Small towns, the Atlas's long tail (about 4,750 French authorities for 12,000 projects):
# plausible names from common French place-name parts, each drawn rarely.
_TOWN_HEADS = (
    "Saint-Martin", "Saint-Jean", "Saint-Pierre", "Saint-Germain", "Saint-Laurent",
    "Saint-Georges", "Saint-Julien", "Saint-Étienne", "Sainte-Marie", "Sainte-Foy",
    "Villeneuve", "Villefranche", "Montigny", "Fontaine", "Châteauneuf", "Beaumont", "Neuville",
    "Bourg", "Villers", "Aubigny", "Verneuil", "Champagne", "Marcilly", "Montreuil", "Plessis",
    "Bois-Colombes", "Rochefort", "Mézières", "Belleville", "Chaumont", "Ormes", "Écouen",
    "Isle", "Orgeval", "Montfort", "Lussac", "Aigrefeuille", "Brie", "Crécy", "Pont-l'Évêque",
    "Vaux", "Saulx", "Thorigny", "Ozoir", "Marly",
)
_TOWN_TAILS = (
    "", "-sur-Loire", "-sur-Seine", "-sur-Marne", "-sur-Saône", "-sur-Mer", "-les-Bains",
    "-lès-Nancy", "-en-Bresse", "-le-Château", "-la-Forêt", "-du-Lac", "-aux-Bois",
    "-la-Rivière", "-en-Vexin", "-sur-Garonne", "-le-Vieux", "-sous-Bois", "-de-Bretagne",
    "-sur-Lot", "-en-Provence", "-d'Aunis", "-sur-Dordogne", "-le-Roi", "-la-Ville",
    "-sur-Vienne", "-en-Forez", "-lès-Lyon", "-sur-Rhône", "-des-Vignes", "-en-Laye",
    "-sur-Allier", "-les-Eaux", "-du-Mont", "-sur-Cher", "-en-Brie", "-sur-Oise",
    "-de-Savoie", "-en-Velay", "-sur-Charente", "-la-Montagne", "-le-Pont", "-sur-Sarthe",
    "-du-Gard", "-en-Ardenne",
)
_REGIONS = (
    "Bretagne", "Normandie", "Occitanie", "Nouvelle-Aquitaine", "Auvergne-Rhône-Alpes",
    "Hauts-de-France", "Grand Est", "Bourgogne-Franche-Comté", "Centre-Val de Loire",
    "Pays de la Loire", "Île-de-France", "Provence-Alpes-Côte d'Azur", "Corse",
)
# Département names with the article their "de" takes.
_DEPARTEMENTS = (
    "de l'Ille-et-Vilaine", "de la Gironde", "du Nord", "de l'Isère", "des Landes",
    "du Finistère", "de la Loire-Atlantique", "du Bas-Rhin", "de la Haute-Garonne",
    "de l'Hérault", "du Puy-de-Dôme", "des Côtes-d'Armor", "de la Seine-Saint-Denis",
    "du Val-de-Marne", "de l'Essonne", "des Yvelines", "de la Drôme", "de l'Ardèche",
    "du Morbihan", "de la Manche", "du Calvados", "de la Savoie", "de la Haute-Savoie",
    "des Deux-Sèvres", "de la Vienne", "du Gers", "de l'Aude", "des Hautes-Pyrénées",
)
_INTERCO = (
    "Métropole de Lyon", "Eurométropole de Strasbourg", "Nantes Métropole", "Rennes Métropole",
    "Bordeaux Métropole", "Grenoble-Alpes Métropole", "Communauté d'agglomération du Grand Annecy",
    "Communauté de communes du Pays de Landerneau-Daoulas",
)


def _french_partner(rng: random.Random) -> tuple[str, str, str]:
    """(table name, subject form, "de" form) of one French authority."""
    r = rng.random()
    if r < 0.55:
        if rng.random() < 0.5:
            name = _choice(rng, _COMMUNES)
        else:
            name = _choice(rng, _TOWN_HEADS) + _choice(rng, _TOWN_TAILS)
        return name, f"la Ville {_de(name)}", f"de la Ville {_de(name)}"
    if r < 0.72:
        dep = _choice(rng, _DEPARTEMENTS)
        return f"Département {dep}", f"le Département {dep}", f"du Département {dep}"
    if r < 0.9:
        reg = _choice(rng, _REGIONS)
        return f"Région {reg}", f"la Région {reg}", f"de la Région {reg}"
    name = _choice(rng, _INTERCO)
    if name.startswith(("Métropole", "Eurométropole", "Communauté")):
        art = "l’" if name[0] in "EÉ" else "la "
        return name, f"{art}{name}", f"de {art}{name}"
    return name, name, f"de {name}"


_VOWELS = set("AEIOUYÉÈÊÎÔÂaeiouyéèêîôâ")


def _de(name: str) -> str:
    """'de Lyon' / 'd’Angers' / 'du Caire' (elision and contraction, as French writes them)."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    return f"d’{name}" if name[:1] in _VOWELS else f"de {name}"


def _a(name: str) -> str:
    # "à Le Mans" is not French: contract the leading article.
    if name.startswith("Le "):
        return "au " + name[3:]
    if name.startswith("Les "):
        return "aux " + name[4:]
    return f"à {name}"


# --------------------------------------------------------------------------------------------
# Taxonomy: theme -> sub-theme -> sub-sub-themes (possibly none).
THEMES: dict[str, dict[str, list[str]]] = {
    "Economie durable": {
        "Aménagement du territoire et transports": [],
        "Développement économique local": ["Artisanat et commerce", "Insertion professionnelle",
                                           "Microfinance"],
        "Tourisme durable": [],
        "Economie sociale et solidaire": [],
    },
    "Eau et assainissement": {
        "Accès à l'eau potable": ["Forages et puits", "Réseaux d'adduction"],
        "Assainissement": ["Assainissement collectif", "Assainissement autonome"],
        "Gestion intégrée des ressources en eau": [],
        "Hygiène et sensibilisation": [],
    },
    "Culture et Patrimoine": {
        "Infrastructures, équipements et manifestations culturelles": [],
        "Patrimoine matériel et immatériel": ["Patrimoine bâti", "Musées et archives"],
        "Francophonie": [],
        "Echanges artistiques": [],
    },
    "Education, Social et Recherche": {
        "Coopération universitaire, scientifique et recherche": [],
        "Jeunesse & genre": [],
        "Education et formation professionnelle": ["Enseignement primaire",
                                                   "Formation professionnelle"],
        "Action sociale et lutte contre la pauvreté": [],
    },
    "Environnement, Climat et Energie": {
        "Economie circulaire": [],
        "Protection / Gestion de l'environnement / Biodiversité": [],
        "Energies renouvelables": ["Solaire", "Biomasse"],
        "Adaptation au changement climatique": [],
        "Gestion des déchets": ["Collecte", "Valorisation"],
    },
    "Santé": {
        "Accès aux soins": [],
        "Santé maternelle et infantile": [],
        "Prévention et lutte contre les épidémies": [],
        "Formation des personnels de santé": [],
    },
    "Agriculture et sécurité alimentaire": {
        "Appui aux filières agricoles": ["Maraîchage", "Élevage", "Céréales"],
        "Sécurité alimentaire et nutrition": [],
        "Agroécologie": [],
        "Pêche et aquaculture": [],
    },
    "Gouvernance locale": {
        "Appui institutionnel": ["État civil", "Finances locales", "Fiscalité locale"],
        "Décentralisation et démocratie locale": [],
        "Formation des élus et agents": [],
        "Participation citoyenne": [],
    },
    "Urgence et reconstruction": {
        "Aide d'urgence": [],
        "Reconstruction": [],
        "Prévention des risques": [],
    },
    "Jeunesse et sport": {
        "Echanges de jeunes": [],
        "Sport et insertion": [],
        "Mobilité internationale des jeunes": [],
    },
}
_THEME_NAMES = list(THEMES)
_THEME_CUM = list(accumulate((16, 12, 12, 14, 11, 8, 9, 10, 3, 5)))

STATUSES = ("En cours", "Terminé", "En projet", "Suspendu")
_STATUS_CUM = (50, 88, 95, 100)
FORMS = ("Projet de coopération décentralisée", "Jumelage", "Accord de coopération",
         "Pacte d'amitié", "Action ponctuelle")
_FORM_CUM = (52, 72, 88, 93, 100)

# --------------------------------------------------------------------------------------------
# Free text. Slots: {fr} subject form of the French partner, {Fr} the same capitalised,
# {de_fr} its "de" form, {place}, {de_place}, {a_place} (foreign partner), {country}, {year},
# {year2}, {n}, {n2}, {pct}. Templates hold no ". " inside a sentence: one template, one
# sentence, so the expected sentence list is exact.
_TEXT: dict[str, dict[str, list[str]]] = {
    "Economie durable": {
        "title": ["Appui au développement économique local {de_place}",
                  "Soutien aux artisanes et aux artisans {de_place}",
                  "Aménagement durable du centre-ville {de_place}",
                  "Développement d’un tourisme responsable {a_place}"],
        "context": [
            "Le tissu économique {de_place} repose sur de très petites entreprises souvent "
            "informelles.",
            "Les marchés urbains {de_place} accueillent chaque jour plus de {n2} commerçantes "
            "et commerçants.",
            "L’accès au crédit reste difficile pour les jeunes entrepreneurs et les "
            "entrepreneuses de la région.",
            "La croissance urbaine rapide pose la question de la mobilité et des transports "
            "collectifs {a_place}.",
        ],
        "desc": [
            "Une pépinière d’entreprises a été ouverte en {year2} avec l’appui technique {de_fr}.",
            "Les artisans ont été formés à la gestion, à la comptabilité et à la vente en ligne.",
            "Un schéma directeur des déplacements a été élaboré avec les services techniques "
            "municipaux.",
            "Les coopératives de femmes transformatrices ont bénéficié d’équipements "
            "neufs.",
        ],
        "bullets": ["renforcer les capacités des acteurs économiques locaux",
                    "favoriser l’insertion professionnelle des jeunes diplômés",
                    "structurer les filières artisanales et touristiques",
                    "améliorer la desserte des quartiers périphériques"],
    },
    "Eau et assainissement": {
        "title": ["Accès à l’eau potable et à l’assainissement {a_place}",
                  "Amélioration de l’accès à l’eau dans les quartiers {de_place}",
                  "Gestion durable de l’eau et de l’assainissement {a_place}"],
        "context": [
            "Moins de la moitié des ménages {de_place} ont accès à un point d’eau potable "
            "à moins de {n} minutes de marche.",
            "Les maladies hydriques touchent en priorité les enfants de moins de cinq ans.",
            "Les forages existants sont vétustes et plusieurs pompes ne fonctionnent plus "
            "depuis des années.",
            "L’assainissement autonome reste la règle et les latrines sont rarement "
            "vidangées.",
        ],
        "desc": [
            "{n} forages ont été réalisés et équipés de pompes solaires depuis {year2}.",
            "Un service public de l’eau a été mis en place avec un comité d’usagers.",
            "Des latrines publiques ont été construites dans les écoles et au marché central.",
            "L’agence de l’eau mobilise le dispositif 1% eau pour cofinancer les travaux.",
            "Les fontainières et les fontainiers ont été formés à la gestion des bornes-"
            "fontaines.",
        ],
        "bullets": ["garantir un accès durable à l’eau potable pour tous",
                    "améliorer l’hygiène et l’assainissement dans les écoles",
                    "renforcer la maîtrise d’ouvrage communale du service de l’eau",
                    "sensibiliser les familles aux gestes d’hygiène"],
    },
    "Culture et Patrimoine": {
        "title": ["Valorisation du patrimoine culturel {de_place}",
                  "Echanges artistiques entre {fr} et {place}",
                  "Festival des cultures croisées {a_place}"],
        "context": [
            "Le patrimoine bâti {de_place} est riche mais fragile et peu mis en valeur.",
            "Les artistes locaux manquent de lieux de création et de diffusion.",
            "La francophonie constitue un lien vivant entre les habitantes et les habitants "
            "des deux territoires.",
            "Les archives municipales anciennes se dégradent faute de conditions de "
            "conservation adaptées.",
        ],
        "desc": [
            "Une résidence croisée d’artistes est organisée chaque année depuis {year2}.",
            "Le musée municipal a été rénové avec l’appui des conservatrices et des "
            "conservateurs du patrimoine.",
            "Un festival de musique réunit chaque été près de {n2} spectateurs.",
            "La médiathèque a reçu un fonds de {n2} ouvrages en langue française.",
            "Les chefs-d’œuvre de l’artisanat local ont été présentés lors d’une exposition "
            "itinérante.",
        ],
        "bullets": ["valoriser le patrimoine matériel et immatériel",
                    "soutenir la création artistique contemporaine",
                    "développer la lecture publique et la francophonie",
                    "favoriser la rencontre des publics"],
    },
    "Education, Social et Recherche": {
        "title": ["Coopération universitaire entre {fr} et {place}",
                  "Appui à la formation professionnelle des jeunes {de_place}",
                  "Égalité filles-garçons et éducation {a_place}"],
        "context": [
            "Le taux de scolarisation des filles {de_place} reste inférieur à {pct}%.",
            "Les universités partenaires souhaitent développer des programmes de recherche "
            "communs.",
            "Beaucoup de jeunes quittent l’école sans qualification et peinent à trouver un "
            "emploi.",
            "Les travailleuses et les travailleurs sociaux manquent d’outils de suivi des "
            "familles.",
        ],
        "desc": [
            "Des bourses de mobilité ont permis à {n} étudiantes et étudiants de séjourner en "
            "France.",
            "Un centre de formation aux métiers du bâtiment a ouvert ses portes en {year2}.",
            "Des enseignantes et des enseignants ont participé à des stages croisés.",
            "Une chaire de recherche commune travaille sur la ville durable.",
        ],
        "bullets": ["favoriser l’accès des jeunes filles à l’éducation",
                    "renforcer la coopération universitaire et scientifique",
                    "développer l’apprentissage et la formation qualifiante",
                    "accompagner les publics les plus vulnérables"],
    },
    "Environnement, Climat et Energie": {
        "title": ["Transition énergétique et climat {a_place}",
                  "Gestion des déchets ménagers {a_place}",
                  "Protection de la biodiversité et des zones humides {de_place}"],
        "context": [
            "Les déchets ménagers {de_place} sont le plus souvent brûlés ou abandonnés en "
            "décharge sauvage.",
            "Les effets du changement climatique se font sentir avec des sécheresses plus "
            "longues.",
            "La déforestation menace les écosystèmes et les ressources des populations "
            "riveraines.",
            "L’éclairage public consomme une part importante du budget énergétique de la "
            "commune.",
        ],
        "desc": [
            "Un centre de tri et de compostage traite désormais {n2} tonnes de déchets par an.",
            "Des lampadaires solaires ont été installés dans {n} quartiers.",
            "Un plan climat-air-énergie territorial a été élaboré conjointement.",
            "Des pépinières villageoises ont produit plus de {n2} plants d’arbres.",
        ],
        "bullets": ["réduire les émissions de gaz à effet de serre",
                    "valoriser les déchets organiques et recyclables",
                    "préserver la biodiversité et les espaces naturels",
                    "développer les énergies renouvelables"],
    },
    "Santé": {
        "title": ["Amélioration de l’accès aux soins {a_place}",
                  "Santé maternelle et infantile {a_place}",
                  "Prévention des épidémies et formation des soignants {de_place}"],
        "context": [
            "Le centre de santé {de_place} couvre une population de plus de {n2} habitants.",
            "La mortalité maternelle et infantile reste élevée dans les zones rurales.",
            "Les sages-femmes et les infirmières manquent de matériel et de formation "
            "continue.",
            "Les campagnes de vaccination peinent à atteindre les villages les plus isolés.",
        ],
        "desc": [
            "Une maternité a été réhabilitée et équipée en {year2}.",
            "Des missions de médecins et d’infirmiers volontaires se succèdent chaque année.",
            "Un programme de prévention du paludisme a touché {n2} familles.",
            "Les agents de santé communautaire ont été formés au suivi des grossesses.",
        ],
        "bullets": ["améliorer l’accès aux soins de santé primaires",
                    "réduire la mortalité maternelle et infantile",
                    "former les personnels de santé",
                    "prévenir les maladies infectieuses"],
    },
    "Agriculture et sécurité alimentaire": {
        "title": ["Appui aux agricultrices et agriculteurs {de_place}",
                  "Sécurité alimentaire et agroécologie {a_place}",
                  "Structuration de la filière maraîchère {de_place}"],
        "context": [
            "L’agriculture familiale fait vivre plus de {pct}% des ménages {de_place}.",
            "Les périodes de soudure entraînent chaque année une insécurité alimentaire "
            "importante.",
            "Les productrices de légumes peinent à écouler leurs récoltes sur les marchés "
            "urbains.",
            "L’élevage pastoral souffre de la raréfaction des points d’eau et des pâturages.",
        ],
        "desc": [
            "Des périmètres maraîchers irrigués ont été aménagés sur {n} hectares.",
            "Une banque de céréales a été créée pour limiter les effets de la soudure.",
            "Les groupements d’éleveurs ont reçu un appui vétérinaire régulier.",
            "Les cantines scolaires sont approvisionnées par les productrices locales.",
        ],
        "bullets": ["améliorer la sécurité alimentaire des familles",
                    "diffuser les pratiques agroécologiques",
                    "structurer les filières agricoles locales",
                    "augmenter les revenus des exploitations familiales"],
    },
    "Gouvernance locale": {
        "title": ["Appui institutionnel à la commune {de_place}",
                  "Renforcement de la maîtrise d’ouvrage communale {a_place}",
                  "Modernisation de l’état civil {a_place}"],
        "context": [
            "La décentralisation a transféré de nouvelles compétences aux communes sans les "
            "moyens correspondants.",
            "Les recettes fiscales propres {de_place} restent faibles et mal recouvrées.",
            "De nombreux enfants ne sont pas déclarés à l’état civil à leur naissance.",
            "Les élues et les élus souhaitent associer davantage les habitants aux décisions "
            "locales.",
        ],
        "desc": [
            "Les registres d’état civil ont été numérisés et un logiciel de gestion installé.",
            "Un budget participatif a été expérimenté dans {n} quartiers.",
            "Les agents municipaux ont suivi des formations en finances locales.",
            "Un cadastre simplifié a permis d’améliorer le recouvrement de la taxe foncière.",
        ],
        "bullets": ["renforcer les capacités de l’administration communale",
                    "améliorer la mobilisation des ressources propres",
                    "développer la participation citoyenne",
                    "moderniser le service de l’état civil"],
    },
    "Urgence et reconstruction": {
        "title": ["Aide d’urgence et reconstruction {a_place}",
                  "Reconstruction des équipements publics {de_place}"],
        "context": [
            "Les inondations de {year} ont détruit des centaines d’habitations {a_place}.",
            "Le séisme a gravement endommagé les écoles et le centre de santé.",
            "Les familles déplacées ont besoin d’abris, d’eau et de nourriture.",
        ],
        "desc": [
            "Une aide d’urgence a été acheminée dans les jours qui ont suivi la catastrophe.",
            "Les écoles endommagées ont été reconstruites selon des normes parasismiques.",
            "Un plan communal de prévention des risques a été élaboré.",
        ],
        "bullets": ["répondre aux besoins vitaux des populations sinistrées",
                    "reconstruire les équipements publics",
                    "prévenir les risques naturels"],
    },
    "Jeunesse et sport": {
        "title": ["Echanges de jeunes entre {fr} et {place}",
                  "Le sport au service de l’insertion {a_place}"],
        "context": [
            "Plus de la moitié de la population {de_place} a moins de vingt-cinq ans.",
            "Les équipements sportifs de proximité sont rares et souvent dégradés.",
            "Les jeunes des deux territoires ont peu d’occasions de se rencontrer.",
        ],
        "desc": [
            "Chaque été, un chantier international réunit {n} jeunes des deux villes.",
            "Un terrain multisports a été construit avec les associations de quartier.",
            "Des éducatrices et des éducateurs sportifs ont été formés.",
        ],
        "bullets": ["favoriser la mobilité internationale des jeunes",
                    "promouvoir le sport comme outil d’insertion",
                    "encourager l’engagement citoyen des jeunes"],
    },
}

_GEN_CONTEXT = [
    "{Fr} entretient des relations d’amitié avec {place} ({country}) depuis {year}.",
    "Les deux collectivités partagent des enjeux communs de développement durable.",
    "Aujourd’hui, {place} compte environ {n2} habitantes et habitants.",
    "La coopération s’inscrit dans les Objectifs de développement durable de l’Agenda 2030.",
    "Les diasporas installées en France jouent un rôle moteur dans ce partenariat.",
    "Le contexte sécuritaire a conduit à adapter les modalités d’intervention.",
    "Lorsqu’il a été élu, le nouveau maire {de_place} a souhaité relancer la coopération.",
    "Les services déconcentrés de l’État sont étroitement associés à la démarche.",
    "Cette coopération s’appuie sur un tissu associatif très dynamique des deux côtés.",
]
_GEN_HISTORY = [
    "Le partenariat est né en {year} à l’initiative d’un comité de jumelage.",
    "Une convention de coopération a été signée entre {fr} et {place} en {year}.",
    "Depuis {year}, les élus des deux collectivités se rencontrent chaque année.",
    "Une première mission exploratoire s’est rendue {a_place} en {year}.",
    "Les échanges se sont intensifiés après la signature d’un nouvel accord en {year2}.",
    "Plusieurs délégations {de_place} ont été accueillies en France.",
    "Le projet s’inscrit dans la continuité d’actions menées depuis près de {n} ans.",
    "Les premières actions ont porté sur l’éducation et la santé avant de s’élargir.",
    "La crise sanitaire a interrompu les déplacements pendant près de deux ans.",
    "Un chargé de mission basé {a_place} assure le suivi quotidien des actions.",
]
_GEN_INTRO = [
    "L’objectif global est de contribuer au développement durable {de_place}.",
    "Le partenariat doit améliorer durablement les conditions de vie des habitants.",
    "Les actions s’adressent en priorité aux femmes et aux jeunes.",
]
# Lead-ins to a bullet list: only used when bullets follow.
_GEN_LEAD = [
    "Le partenariat poursuit les objectifs suivants :",
    "Les actions menées visent à :",
    "Il s’agit notamment de :",
    "Les partenaires se sont fixé plusieurs priorités :",
]
_FR_INTRO = [
    "En France, le partenariat vise à :",
    "Pour {fr}, la coopération doit permettre de :",
    "Les objectifs pour le territoire français sont les suivants :",
]
_FR_BULLETS = [
    "sensibiliser les habitants à la solidarité internationale",
    "mobiliser les acteurs du territoire autour du projet",
    "valoriser l’expertise des agents de la collectivité",
    "renforcer l’ouverture internationale du territoire",
    "associer les jeunes et les établissements scolaires",
    "faire connaître la culture {de_place} au public français",
    "développer les échanges économiques entre les deux territoires",
]
_GEN_DESC = [
    "Le projet est piloté par un comité de suivi qui se réunit deux fois par an.",
    "Les actions sont mises en œuvre par les services techniques des deux collectivités.",
    "Une évaluation à mi-parcours a été conduite en {year2}.",
    "Des missions d’expertise sont organisées chaque année {a_place}.",
    "Les associations de solidarité internationale du territoire y sont étroitement "
    "associées.",
    "Le budget prévisionnel s’élève à {n2} euros sur la durée du partenariat.",
    "Le projet bénéficie d’un cofinancement du ministère de l’Europe et des Affaires "
    "étrangères.",
    "Les bénéficiaires, femmes et hommes, participent à chaque étape du projet.",
    "Un site internet et une lettre d’information rendent compte de l’avancement des actions.",
    "Jusqu’à présent, {n} missions croisées ont eu lieu entre les deux territoires.",
]

_TITLE_TAIL = [
    "Ce projet vise à renforcer durablement les liens entre les territoires partenaires afin "
    "de partager les expériences, les savoir-faire et les bonnes pratiques de gestion locale "
    "au service des habitants",
]

_ROLES = ["Maire", "Chargé de mission", "Chargée de coopération",
          "Directeur des relations internationales", "Directrice des services techniques",
          "Conseiller du maire", "Secrétaire général", "Adjointe au maire",
          "Référent coopération", "Responsable du service jeunesse"]
_FR_FIRST = ["Bruno", "Claire", "Nathalie", "Olivier", "Sylvie", "Jérôme", "Hélène", "François",
             "Anne-Sophie", "Jean-Luc", "Céline", "Thierry", "Laurence", "Stéphane"]
_FR_LAST = ["Aubert", "Martin", "Bernard", "Lefèvre", "Moreau", "Girard", "Roux", "Fournier",
            "Mercier", "Blanc", "Guérin", "Faure", "Chevalier", "Le Gall", "Dubois-Renaud"]
_FUNDERS = [
    "Ministère de l'Europe et des Affaires étrangères", "Agence française de développement",
    "Union européenne", "Collectivités et partenaires étrangers", "Agence de l'eau Loire-Bretagne",
    "Agence de l’eau Rhône Méditerranée Corse", "Agence de l'eau Adour-Garonne",
    "Fondation de France", "Comité de jumelage", "Association France Volontaires",
    "Usagers français", "Syndicat des eaux", "Université partenaire", "Cités Unies France",
]
_MISSIONS = ["Volontariat de solidarité internationale", "Service civique",
             "Volontariat international en administration", "Volontariat d'échange et de "
             "solidarité"]


# --------------------------------------------------------------------------------------------
# random.choice/randint cost ~1 µs each through _randbelow; one float draw is 3x cheaper and
# these run ~100 times per page.
def _choice(rng: random.Random, seq: Any) -> Any:
    return seq[int(rng.random() * len(seq))]


def _randint(rng: random.Random, a: int, b: int) -> int:
    return a + int(rng.random() * (b - a + 1))


def _pick_cum(rng: random.Random, items: Any, cum: Any) -> Any:
    return rng.choices(items, cum_weights=cum, k=1)[0]


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
        return _randint(rng, 4, 6)
    if r < 0.99:
        return _randint(rng, 7, 15)
    return _randint(rng, 16, 30)


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
                n=_randint(rng, 2, 40),
                n2=_choice(rng, (150, 800, 1200, 2500, 4000, 15000, 35000)),
                pct=_randint(rng, 20, 80), **self.slots,
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
        k = _randint(rng, 1, 4)
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
        end = _choice(rng, (".", "", " ;", ""))
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
    countries, cum = _countries()
    page_id = f"{SYNTHETIC_PREFIX}{index:06d}_{rng.getrandbits(32):08x}"
    exp: dict[str, Any] = {"id": page_id}

    # --- partners ------------------------------------------------------------------------
    n_part = _n_partners(rng)
    home = _pick_cum(rng, countries, cum)
    partners: list[tuple[str, str, _Country]] = []  # (authority name, place, country)
    seen_names: list[str] = []
    tries = 0
    while len(partners) < n_part and tries < n_part * 6:
        tries += 1
        c = home if (not partners or rng.random() < 0.55) else _pick_cum(rng, countries, cum)
        place = _choice(rng, c.places)
        r = rng.random()
        if r < 0.6:
            name = place
        elif r < 0.75:
            name = f"Commune {_de(place)}".replace("’", "'")
        elif r < 0.85:
            name = f"Ville {_de(place)}".replace("’", "'")
        else:
            name = f"Région {_de(place)}".replace("’", "'")
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

    n_fr = 1 if rng.random() < 0.85 else _randint(rng, 2, 4)
    fr_list: list[tuple[str, str, str]] = []
    while len(fr_list) < n_fr:
        p = _french_partner(rng)
        if all(p[0] != q[0] for q in fr_list):
            fr_list.append(p)
    exp["french_partners"] = [p[0] for p in fr_list]

    # --- dates, status, themes ---------------------------------------------------------------
    start = _year(rng)
    sig: int | None = max(1980, start - _choice(rng, (0, 0, 0, 1, 1, 2)))
    if rng.random() < 0.1:
        sig = None
    status = _pick_cum(rng, STATUSES, _STATUS_CUM)
    end_date: str | None = None
    if status == "Terminé" or (status in ("En cours", "Suspendu") and rng.random() < 0.7):
        lo = start + 1
        hi = max(lo, 2025) if status == "Terminé" else max(lo, 2028)
        if status != "Terminé":
            lo = max(lo, 2025)
        y = _randint(rng, min(lo, hi), hi)
        d, m = (31, 12) if rng.random() < 0.6 else (_randint(rng, 1, 28), _randint(rng, 1, 12))
        end_date = f"{y:04d}-{m:02d}-{d:02d}"
    if rng.random() < 0.03:
        status = None
    theme = _pick_cum(rng, _THEME_NAMES, _THEME_CUM)
    sub = _choice(rng, list(THEMES[theme]))
    subsubs = THEMES[theme][sub]
    subsub = _choice(rng, subsubs) if subsubs and rng.random() < 0.5 else None
    others = []
    for prio in range(1, (_choice(rng, (0, 0, 1, 1, 2, 3, 5)) + 1)):
        t = _choice(rng, _THEME_NAMES)
        s = _choice(rng, list(THEMES[t]))
        ss = _choice(rng, THEMES[t][s]) if THEMES[t][s] and rng.random() < 0.4 else None
        if rng.random() < 0.04:
            s, ss = None, None
        others.append({"theme": t, "sub_theme": s, "sub_sub_theme": ss, "priority": prio})
    form = _pick_cum(rng, FORMS, _FORM_CUM)
    if rng.random() < 0.03:
        form = None
    triennial = _choice(rng, (True, False, False, None)) if rng.random() < 0.9 else None

    # --- free text ------------------------------------------------------------------------
    fp_name, place, pc = partners[0]
    fr_name, fr_subj, fr_de = fr_list[0]
    slots = {
        "fr": fr_subj, "Fr": fr_subj[0].upper() + fr_subj[1:], "de_fr": fr_de,
        "place": place, "de_place": _de(place), "a_place": _a(place), "country": pc.name,
        "year": str(start), "year2": str(min(2025, start + _randint(rng, 1, 6))),
    }
    tx = _Text(rng, slots)
    tt = _TEXT[theme]
    title = tx.sentences(tt["title"], 1)[0]
    if rng.random() < 0.05:
        title = (title + ". " + _TITLE_TAIL[0])[: _randint(rng, 120, 240)].rstrip()
    exp["title"] = title

    def maybe_empty(p: float, make: Any) -> list[str]:
        return [] if rng.random() < p else make()

    context = maybe_empty(0.1, lambda: tx.sentences(tt["context"], _randint(rng, 1, 4))
                         + tx.sentences(_GEN_CONTEXT, _randint(rng, 0, 6)))
    history = maybe_empty(0.15, lambda: tx.sentences(_GEN_HISTORY, _randint(rng, 1, 8)))
    desc = maybe_empty(0.08, lambda: tx.sentences(tt["desc"], _randint(rng, 1, 5))
                       + tx.sentences(_GEN_DESC, _randint(rng, 0, 8)))
    loc_intro = tx.sentences(_GEN_INTRO, _randint(rng, 0, 2))
    loc_bullets = tx.sentences(tt["bullets"], _randint(rng, 0, 4), cap=False)
    if loc_bullets:
        loc_intro += tx.sentences(_GEN_LEAD, 1)
    elif not loc_intro:
        loc_intro = tx.sentences(_GEN_INTRO, 1)
    if rng.random() < 0.1:
        loc_intro, loc_bullets = [], []
    r = rng.random()
    if r < 0.2:  # the France part often copies the local one, as in real pages
        fr_intro, fr_bullets = list(loc_intro), list(loc_bullets)
    elif r < 0.45:
        fr_intro, fr_bullets = [], []
    else:
        fr_intro = tx.sentences(_FR_INTRO, 1)
        fr_bullets = tx.sentences(_FR_BULLETS, _randint(rng, 1, 4), cap=False)
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
            first, last = _choice(rng, _FR_FIRST), _choice(rng, _FR_LAST)
            person = {"name": f"{first} {last.upper()}",
                      "email": f"{_slug(first, '-')}.{_slug(last, '-')}@diplomatie.gouv.fr"}
            L += ["Correspondant coopération décentralisée", person["name"], "Courriel :",
                  person["email"].replace("@", "[at]")]
        else:
            L.append("Pas de correspondant coopération décentralisée")
        counsellor = person if (person and rng.random() < 0.5) else None
        if counsellor is None and rng.random() < 0.3:
            first, last = _choice(rng, _FR_FIRST), _choice(rng, _FR_LAST)
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
        first_pool, last_pool = _POOLS.get(c.pool, _POOLS["gen"])
        first: str | None = _choice(rng, first_pool)
        last: str | None = _choice(rng, last_pool)
        role: str | None = _choice(rng, _ROLES)
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
        na = _choice(rng, NA_CELLS)
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
    n_fund = _choice(rng, (0, 1, 2, 2, 3, 3, 4, 5, 6, 8)) if rng.random() < 0.97 \
        else _randint(rng, 10, 30)
    funders = [p[0] for p in fr_list] + rng.sample(_FUNDERS, 4)
    f_end = int(end_date[:4]) if end_date else min(2025, start + 3)
    for _ in range(n_fund):
        if funding and rng.random() < 0.08:
            funding.append(dict(funding[-1]))  # identical rows happen in real pages
            continue
        funder = funders[0] if rng.random() < 0.45 else _choice(rng, funders)
        amount = int(10 ** rng.uniform(2.3, 5.6))
        funding.append({"funder": funder, "amount_eur": amount,
                        "year": _randint(rng, start, max(start, f_end))})
    exp["funding"] = funding
    exp["funding_total_eur"] = sum(f["amount_eur"] for f in funding)
    L += ["Financement du partenariat", FUNDING_HEADER, "---|---|---|---|---|---|---|"]
    for i, f in enumerate(funding):
        row = f"{f['funder']} | {f['amount_eur']} | {f['year']} |"
        L.append(row if i == len(funding) - 1 else row + " ||||")

    volunteers = []
    if rng.random() < 0.12:
        for _ in range(_randint(rng, 1, 3)):
            volunteers.append({
                "last_name": _choice(rng, _FR_LAST), "first_name": _choice(rng, _FR_FIRST),
                "mission": _choice(rng, _MISSIONS), "field": theme,
                "assigned_to": _choice(rng, [fp_name, fr_name]),
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


def page_rng(seed: int, index: int) -> random.Random:
    """The generator for page `index` of a run: pages are independent of each other."""
    return random.Random(f"atlas-synthetic:{seed}:{index}")


def _write(path: Path, text: str) -> None:
    # os-level write: pathlib's buffered open costs about as much as generating the page
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        data = memoryview(text.encode("utf-8"))
        while data:
            data = data[os.write(fd, data):]
    finally:
        os.close(fd)


def _write_all(batch: list[tuple[Path, str]]) -> None:
    for path, text in batch:
        _write(path, text)


def generate(count: int, seed: int, out_dir: Path, progress: bool = False) -> int:
    """Write `count` pages to out_dir as UTF-8 `syn_*.txt`; returns the number written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    step = max(1, count // 20)
    # File creation is kernel time that releases the GIL: a writer thread overlaps it with
    # page generation. Contents never depend on write order, so output stays deterministic.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[None] | None = None
        batch: list[tuple[Path, str]] = []
        for i in range(count):
            page = generate_page(page_rng(seed, i), i)
            batch.append((out_dir / f"{page.id}.txt", page.text))
            if len(batch) == 128 or i == count - 1:
                if pending is not None:
                    pending.result()  # one batch in flight: bounded memory, errors surface
                pending = pool.submit(_write_all, batch)
                batch = []
            if progress and (i + 1) % step == 0:
                rate = (i + 1) / max(time.perf_counter() - t0, 1e-9)
                print(f"\r{i + 1}/{count} pages ({rate:.0f}/s)", end="", file=sys.stderr)
        if pending is not None:
            pending.result()
    if progress:
        print(file=sys.stderr)
    return count
