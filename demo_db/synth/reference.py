"""Fixed word lists the demo population is drawn from (names, nicknames, places, streets, brands)."""

from __future__ import annotations

# fmt: off

# Formal first name -> nicknames people really use for it.
NICKNAMES: dict[str, tuple[str, ...]] = {
    "Robert": ("Bob", "Rob", "Bobby"), "William": ("Bill", "Will", "Billy"), "James": ("Jim", "Jimmy"),
    "John": ("Jack", "Johnny"), "Michael": ("Mike",), "Richard": ("Rick", "Rich", "Dick"),
    "Thomas": ("Tom", "Tommy"), "Charles": ("Charlie", "Chuck"), "Joseph": ("Joe", "Joey"),
    "Daniel": ("Dan", "Danny"), "Matthew": ("Matt",), "Christopher": ("Chris",), "Anthony": ("Tony",),
    "Steven": ("Steve",), "Edward": ("Ed", "Ted", "Eddie"), "David": ("Dave",), "Andrew": ("Andy", "Drew"),
    "Benjamin": ("Ben",), "Nicholas": ("Nick",), "Samuel": ("Sam",), "Alexander": ("Alex",),
    "Jonathan": ("Jon",), "Timothy": ("Tim",), "Patrick": ("Pat",), "Peter": ("Pete",), "Gregory": ("Greg",),
    "Kenneth": ("Ken",), "Lawrence": ("Larry",), "Ronald": ("Ron",), "Donald": ("Don",), "Gerald": ("Jerry",),
    "Francis": ("Frank",), "Raymond": ("Ray",), "Zachary": ("Zach",),
    "Elizabeth": ("Liz", "Beth", "Betty", "Eliza"), "Katherine": ("Kate", "Kathy", "Katie"),
    "Margaret": ("Peggy", "Maggie", "Meg"), "Jennifer": ("Jen", "Jenny"),
    "Patricia": ("Pat", "Patty", "Trish"), "Susan": ("Sue", "Susie"), "Deborah": ("Deb", "Debbie"),
    "Rebecca": ("Becky", "Becca"), "Christine": ("Chris", "Chrissy"), "Barbara": ("Barb",),
    "Victoria": ("Vicky", "Tori"), "Jessica": ("Jess",), "Samantha": ("Sam",), "Alexandra": ("Alex", "Lexi"),
    "Abigail": ("Abby",), "Kimberly": ("Kim",), "Cynthia": ("Cindy",), "Dorothy": ("Dot", "Dottie"),
    "Theresa": ("Terry", "Tess"), "Madeline": ("Maddie",), "Amanda": ("Mandy",), "Stephanie": ("Steph",),
    "Gabrielle": ("Gabby",),
}

MALE_FIRST = (
    "Robert", "William", "James", "John", "Michael", "Richard", "Thomas", "Charles", "Joseph", "Daniel",
    "Matthew", "Christopher", "Anthony", "Steven", "Edward", "David", "Andrew", "Benjamin", "Nicholas",
    "Samuel", "Alexander", "Jonathan", "Timothy", "Patrick", "Peter", "Gregory", "Kenneth", "Lawrence",
    "Ronald", "Donald", "Gerald", "Francis", "Raymond", "Zachary", "Kevin", "Brian", "Jason", "Ryan", "Eric",
    "Adam", "Noah", "Liam", "Ethan", "Lucas", "Mason", "Tyler", "Aaron", "Kyle", "Sean", "Luis", "Carlos",
    "Miguel", "José", "André", "Ramón", "Darnell", "Malik", "Hiroshi", "Wei", "Minh", "Raj", "Mateo",
)

FEMALE_FIRST = (
    "Elizabeth", "Katherine", "Margaret", "Jennifer", "Patricia", "Susan", "Deborah", "Rebecca", "Christine",
    "Barbara", "Victoria", "Jessica", "Samantha", "Alexandra", "Abigail", "Kimberly", "Cynthia", "Dorothy",
    "Theresa", "Madeline", "Amanda", "Stephanie", "Gabrielle", "Sarah", "Laura", "Emma", "Ava", "Sophia",
    "Mia", "Chloé", "Zoë", "Renée", "Inés", "Sofía", "María", "Lucía", "Ana", "Mei", "Priya", "Aisha",
    "Keisha", "Hannah", "Grace", "Lily", "Nora", "Claire", "Megan", "Rachel", "Heather", "Amy", "Julie",
    "Karen", "Linda", "Carol", "Diane", "Joan", "Ruth", "Nancy", "Mary", "Emily", "Olivia", "Noëlle",
)

LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
    "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
    "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "O'Brien",
    "O'Connor", "Murphy", "Sullivan", "Kelly", "McCarthy", "Fitzgerald", "Walsh", "Ryan", "Doherty",
    "Gallagher", "MacDonald", "Costa", "Silva", "Pereira", "Medeiros", "Rossi", "Russo", "Esposito",
    "Kowalski", "Nowak", "Cohen", "Levine", "Goldberg", "Chen", "Wang", "Li", "Zhang", "Kim", "Park", "Patel",
    "Shah", "Singh", "Tran", "Pham", "Le", "Dubois", "Lefèvre", "Müller", "Schmidt", "Peña", "Núñez",
    "Ibáñez", "Muñoz", "Gómez", "Jiménez", "St. Pierre", "Van Buren", "De la Cruz", "Brennan",
)

# The most common surnames are drawn more often (so "John Smith" happens more than once).
COMMON_LAST = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Nguyen")

# (city, state code, ZIPs, area codes, weight). New England first: Northwind Living is a Boston retailer.
CITIES: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], int], ...] = (
    ("Boston", "MA", ("02108", "02116", "02118", "02134", "02135", "02215"), ("617", "857"), 14),
    ("Cambridge", "MA", ("02138", "02139", "02140"), ("617",), 6),
    ("Somerville", "MA", ("02143", "02144", "02145"), ("617",), 4),
    ("Worcester", "MA", ("01602", "01605", "01609"), ("508", "774"), 4),
    ("Springfield", "MA", ("01103", "01108", "01109"), ("413",), 3),
    ("Providence", "RI", ("02903", "02906", "02908"), ("401",), 4),
    ("Hartford", "CT", ("06103", "06105", "06106"), ("860",), 3),
    ("New Haven", "CT", ("06511", "06513"), ("203",), 3),
    ("Burlington", "VT", ("05401", "05408"), ("802",), 2),
    ("Portland", "ME", ("04101", "04102", "04103"), ("207",), 2),
    ("Manchester", "NH", ("03101", "03103", "03104"), ("603",), 2),
    ("Newark", "NJ", ("07102", "07104", "07105"), ("973",), 2),
    ("Jersey City", "NJ", ("07302", "07306"), ("201",), 2),
    ("New York", "NY", ("10025", "10011", "10003"), ("212", "646"), 4),
    ("Brooklyn", "NY", ("11215", "11238", "11211"), ("718", "347"), 3),
    ("Albany", "NY", ("12203", "12208"), ("518",), 1),
    ("Philadelphia", "PA", ("19103", "19146", "19147"), ("215", "267"), 3),
    ("Pittsburgh", "PA", ("15213", "15217"), ("412",), 1),
    ("Chicago", "IL", ("60614", "60640", "60622"), ("312", "773"), 3),
    ("Columbus", "OH", ("43215", "43201"), ("614",), 1),
    ("Minneapolis", "MN", ("55408", "55405"), ("612",), 1),
    ("Denver", "CO", ("80205", "80218"), ("303", "720"), 2),
    ("Austin", "TX", ("78704", "78745"), ("512",), 2),
    ("Seattle", "WA", ("98103", "98117"), ("206",), 2),
    ("Portland", "OR", ("97214", "97202"), ("503",), 1),
    ("San Diego", "CA", ("92103", "92104"), ("619",), 2),
    ("Atlanta", "GA", ("30307", "30306"), ("404",), 1),
    ("Raleigh", "NC", ("27601", "27608"), ("919",), 1),
    ("Nashville", "TN", ("37203", "37206"), ("615",), 1),
    ("Madison", "WI", ("53703",), ("608",), 1),
)

STATE_NAMES = {
    "MA": "Massachusetts", "RI": "Rhode Island", "CT": "Connecticut", "VT": "Vermont", "ME": "Maine",
    "NH": "New Hampshire", "NJ": "New Jersey", "NY": "New York", "PA": "Pennsylvania", "IL": "Illinois",
    "OH": "Ohio", "MN": "Minnesota", "CO": "Colorado", "TX": "Texas", "WA": "Washington", "OR": "Oregon",
    "CA": "California", "GA": "Georgia", "NC": "North Carolina", "TN": "Tennessee", "WI": "Wisconsin",
}

STREET_NAMES = (
    "Maple", "Oak", "Elm", "Washington", "Lincoln", "Park", "Cedar", "Pine", "Highland", "Main", "Church",
    "School", "Pleasant", "Summer", "Spring", "Chestnut", "Walnut", "Hillside", "Lake", "River", "Forest",
    "Meadow", "Prospect", "Center", "Water", "Union", "Franklin", "Adams", "Jefferson", "Madison", "Harvard",
    "Beacon", "Commonwealth", "Putnam", "Cottage", "Orchard", "Bay View", "Ridge", "Willow", "Sycamore",
)

# Full suffix -> USPS Publication 28 abbreviation.
SUFFIXES = {
    "Street": "St", "Avenue": "Ave", "Road": "Rd", "Drive": "Dr", "Lane": "Ln", "Court": "Ct", "Place": "Pl",
    "Boulevard": "Blvd", "Terrace": "Ter", "Way": "Way",
}

SUFFIX_WEIGHTS = (30, 20, 14, 8, 6, 5, 5, 3, 4, 5)

DIRECTIONALS = {"North": "N", "South": "S", "East": "E", "West": "W"}

# Student halls and apartment blocks: many unrelated people at one door, no unit numbers given.
BUILDINGS = (
    ("250", "", "Huntington", "Avenue", "Boston", "MA", "02115", "617"),
    ("1", "", "Campus", "Drive", "Burlington", "VT", "05405", "802"),
    ("88", "", "Prospect", "Street", "Providence", "RI", "02912", "401"),
    ("1200", "", "Main", "Street", "Hartford", "CT", "06103", "860"),
)

EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example", "inbox.example")

STAFF_DOMAIN = "northwindliving.example"

BRANDS = ("northwind", "ember", "tidewater", "fable")

BRAND_WEIGHTS = (45, 27, 18, 10)

CATEGORIES = {
    "northwind": ("bedding", "bath", "furniture", "decor", "lighting"),
    "ember": ("cookware", "cutlery", "small_appliances", "tableware"),
    "tidewater": ("camping", "patio", "apparel", "footwear"),
    "fable": ("toys", "books", "kids_clothing", "nursery"),
}

# Median basket by brand (lognormal around it).
MEDIAN_AMOUNT = {"northwind": 68.0, "ember": 46.0, "tidewater": 84.0, "fable": 31.0}

STORES = ("S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08")

UTM_SOURCES = ("google", "facebook", "instagram", "newsletter", "direct", "tiktok", "pinterest", "partner")
# fmt: on
