"""Requests filed before forms were kept once by gis_portal.once: their nonces become form keys, so a
copy of such a form sent again still finds its first request."""

from django.db import migrations

SQL = """
INSERT INTO once_formsubmission (key, form, object_label, object_id, created_at)
SELECT r.nonce, 'eservices.request:h' || r.household_id || ':' || t.code, 'eservices.ServiceRequest',
       r.id, r.created_at
FROM eservices_servicerequest r JOIN eservices_servicetype t ON t.id = r.service_type_id
WHERE r.nonce <> ''
ON CONFLICT (key) DO NOTHING
"""


class Migration(migrations.Migration):
    dependencies = [
        ("eservices", "0003_verification_device"),
        ("once", "0001_initial"),
    ]

    operations = [migrations.RunSQL(SQL, migrations.RunSQL.noop)]
