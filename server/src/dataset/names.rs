//! Word lists for realistic MSP data.

pub const COMPANY_FIRST: &[&str] = &[
    "Acme", "Blue Ridge", "Cedar", "Summit", "Harbor", "Pioneer", "Evergreen", "Lakeside", "Granite",
    "Riverbend", "Northwind", "Silver Oak", "Redwood", "Maple", "Ironwood", "Sterling", "Crescent",
    "Beacon", "Highland", "Meridian", "Oakmont", "Pinecrest", "Westfield", "Brookside", "Fairview",
    "Golden Gate", "Horizon", "Keystone", "Liberty", "Magnolia", "Clearwater", "Stonebridge",
    "Willow Creek", "Bayview", "Copperfield", "Eastgate", "Foxhill", "Glenwood", "Hawthorne",
    "Juniper", "Kingsley", "Lighthouse", "Millbrook", "Northgate", "Orchard", "Parkside", "Quarry",
    "Ridgeline", "Sandstone", "Trailhead", "Union", "Valley", "Whitestone", "Yellowstone", "Aspen",
    "Birchwood", "Canyon", "Driftwood", "Elmstead", "Falcon",
];

pub const COMPANY_SECOND: &[&str] = &[
    "Dental", "Law Group", "Manufacturing", "Logistics", "Family Medicine", "Accounting",
    "Construction", "Realty", "Veterinary Clinic", "Insurance", "Engineering", "Architects",
    "Credit Union", "Pharmacy", "Auto Group", "Foods", "Hospitality", "Academy", "Orthopedics",
    "Financial", "Properties", "Design", "Plumbing", "Electric", "Marketing", "Consulting",
    "Labs", "Partners", "Holdings", "Systems", "Nonprofit", "Church", "Brewing", "Outfitters",
    "Title Company", "Surgical Center", "Eye Care", "Chiropractic", "Landscaping", "Storage",
];

pub const COMPANY_SUFFIX: &[&str] = &["LLC", "Inc", "Ltd", "Co", "PC", "Group", "LLP", "Corp"];

pub const FIRST_NAMES: &[&str] = &[
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Christopher", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony",
    "Sandra", "Mark", "Margaret", "Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily",
    "Paul", "Donna", "Joshua", "Michelle", "Kenneth", "Carol", "Kevin", "Amanda", "Brian",
    "Melissa", "George", "Deborah", "Timothy", "Stephanie", "Priya", "Wei", "Carlos", "Fatima",
    "Olga", "Kenji", "Aisha", "Mateo", "Sofia", "Liam",
];

pub const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Patel", "Chen", "Kowalski", "Okafor",
    "Schmidt", "Tanaka", "Haddad", "Novak", "Olsen", "Byrne",
];

/// (city, state, zip prefix)
pub const CITIES: &[(&str, &str, &str)] = &[
    ("Austin", "TX", "787"), ("Denver", "CO", "802"), ("Tampa", "FL", "336"), ("Columbus", "OH", "432"),
    ("Raleigh", "NC", "276"), ("Boise", "ID", "837"), ("Madison", "WI", "537"), ("Richmond", "VA", "232"),
    ("Omaha", "NE", "681"), ("Spokane", "WA", "992"), ("Tucson", "AZ", "857"), ("Albany", "NY", "122"),
    ("Portland", "ME", "041"), ("Savannah", "GA", "314"), ("Knoxville", "TN", "379"), ("Fresno", "CA", "937"),
    ("Des Moines", "IA", "503"), ("Lexington", "KY", "405"), ("Reno", "NV", "895"), ("Providence", "RI", "029"),
];

pub const STREETS: &[&str] = &[
    "Main St", "Oak Ave", "Commerce Dr", "Industrial Pkwy", "Market St", "Park Blvd", "Lake Rd",
    "Center St", "Hillcrest Dr", "Washington Ave", "Elm St", "Corporate Way", "Technology Dr",
    "River Rd", "Airport Blvd",
];

pub const PASSWORD_NAMES: &[&str] = &[
    "Domain Administrator", "Firewall admin console", "Microsoft 365 Global Admin", "Guest Wi-Fi",
    "Backup appliance", "Switch management", "Line-of-business app admin", "Registrar account",
    "Printer web admin", "VPN service account",
];

pub const DOCUMENT_TITLES: &[&str] = &[
    "Network Overview", "Onboarding Checklist", "Backup and Restore Procedure", "Disaster Recovery Plan",
    "New Hire Setup", "Vendor Contacts", "Firewall Change Log", "Printer Setup Guide",
];
