"""The hand-written configuration the generator writes beside the extracts: sources.toml (demo_db/selections.toml, rules.toml and triggers.toml are
hand-written)."""

from __future__ import annotations

SOURCES_TOML = """\
# Source definitions of the Northwind Living demo database (written by demo_db/generate.py).
# Freshness: warn after 1.5 x cadence, error after 3 x cadence, measured on the as_of column's max.

# -- people ---------------------------------------------------------------------------------------
[sources.ecom_customers]
kind = "people"
cadence = "daily"
format = "csv"
priority = 1
mode = "full"
as_of = "updated_at"
encoding = "utf-8"

[sources.pos_loyalty]
kind = "people"
cadence = "weekly"
format = "csv"
priority = 2
mode = "full"
as_of = "LAST_VISIT"
encoding = "latin-1"
delimiter = ";"
[sources.pos_loyalty.columns]
source_key = "CARD_NO"
first_name = "FIRST"
last_name = "LAST"
address_line1 = "ADDRESS"
address_line2 = "ADDRESS2"
city = "CITY"
state = "ST"
postal_code = "ZIP"
email = "EMAIL"
phone = "PHONE"
birth_date = "BIRTHDAY"

[sources.web_signups]
kind = "people"
cadence = "hourly"
format = "csv"
priority = 3
mode = "incremental"
as_of = "signup_time"
encoding = "utf-8"
[sources.web_signups.columns]
source_key = "visitor_id"
first_name = "fname"
last_name = "lname"
address_line1 = "street"
address_line2 = "apt"
city = "town"
state = "st"
postal_code = "zip"
email = "email_address"
phone = "mobile"
birth_date = "dob"

# -- transactions (source_key: ecom_orders -> ecom_customers, pos_sales -> pos_loyalty) -------------
[sources.ecom_orders]
kind = "transactions"
cadence = "daily"
format = "csv"
mode = "incremental"
as_of = "order_date"
people_source = "ecom_customers"
[sources.ecom_orders.columns]
source_key = "customer_id"

[sources.pos_sales]
kind = "transactions"
cadence = "weekly"
format = "csv"
mode = "incremental"
as_of = "TXN_DATE"
delimiter = ";"
people_source = "pos_loyalty"
[sources.pos_sales.columns]
source_key = "CARD_NO"
order_id = "TXN_ID"
order_date = "TXN_DATE"
amount = "AMOUNT"
brand = "BRAND"
channel = "CHANNEL"
category = "CATEGORY"
returned = "RETURNED"

# -- events and contact history -------------------------------------------------------------------
[sources.callcentre_contacts]
kind = "events"
cadence = "monthly"
format = "csv"
mode = "incremental"
as_of = "event_time"
people_source = "ecom_customers"
[sources.callcentre_contacts.columns]
source_key = "customer_id"

[sources.partner_contacts]
kind = "contacts"
cadence = "monthly"
format = "csv"
mode = "incremental"
as_of = "contact_date"

# -- suppressions ---------------------------------------------------------------------------------
[sources.email_unsubscribes]
kind = "suppression"
cadence = "daily"
format = "csv"
mode = "incremental"
as_of = "unsubscribed_at"
channel = "email"
match_on = "email"
reason = "unsubscribe"
[sources.email_unsubscribes.columns]
effective_date = "unsubscribed_at"

[sources.email_bounces]
kind = "suppression"
cadence = "daily"
format = "csv"
mode = "incremental"
as_of = "bounced_at"
channel = "email"
match_on = "email"
reason = "hard bounce"
keep_when = { bounce_type = ["hard"] }
[sources.email_bounces.columns]
effective_date = "bounced_at"

[sources.brand_optouts]
kind = "suppression"
cadence = "daily"
format = "csv"
mode = "incremental"
as_of = "opted_out_at"
channel = "all"
match_on = "email"
reason = "brand opt-out"
[sources.brand_optouts.columns]
effective_date = "opted_out_at"

[sources.mail_preference]
kind = "suppression"
cadence = "monthly"
format = "csv"
mode = "full"
channel = "mail"
match_on = "name_address"
reason = "Mail Preference Service"
[sources.mail_preference.columns]
address_line1 = "address"
postal_code = "zip"

[sources.do_not_call]
kind = "suppression"
cadence = "monthly"
format = "csv"
mode = "full"
header = false
column_names = ["area_code", "phone"]
channel = "phone"
match_on = "phone"
reason = "Do Not Call"

[sources.deceased]
kind = "suppression"
cadence = "monthly"
format = "csv"
mode = "full"
channel = "all"
match_on = "name_address"
reason = "deceased"
[sources.deceased.columns]
address_line1 = "address"
postal_code = "zip"
effective_date = "date_of_death"

[sources.staff_list]
kind = "suppression"
cadence = "monthly"
format = "csv"
mode = "full"
channel = "all"
match_on = "email"
reason = "staff"

# -- moves ----------------------------------------------------------------------------------------
[sources.ncoa]
kind = "moves"
cadence = "monthly"
format = "csv"
mode = "full"
"""
