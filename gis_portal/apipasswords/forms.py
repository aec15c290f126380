from django import forms


class ApiPasswordForm(forms.Form):
    label = forms.CharField(
        label="ชื่อเรียก / Label", max_length=100, help_text="เช่น QGIS เครื่องสำนักงาน / e.g. QGIS office PC"
    )
