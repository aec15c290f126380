from django.urls import path

from . import views, views_collection

app_name = "taxes"

urlpatterns = [
    path("", views.index, name="index"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/notice.pdf", views.notice_pdf, name="notice-pdf"),
    path("receipts/<int:pk>.pdf", views.receipt_pdf, name="receipt-pdf"),
    path("<slug:slug>/<int:year>/", views.year_detail, name="year"),
    path("<slug:slug>/<int:year>/assess/", views.assess, name="assess"),
    path("<slug:slug>/<int:year>/appraisal/", views.appraisal, name="appraisal"),
    path("<slug:slug>/<int:year>/review/", views.review, name="review"),
    path("<slug:slug>/<int:year>/notices.pdf", views.notices_batch_pdf, name="notices-pdf"),
    path("<slug:slug>/<int:year>/payments/import/", views.payments_import, name="payments-import"),
    path("<slug:slug>/<int:year>/reports/", views.reports, name="reports"),
    path("<slug:slug>/<int:year>/office-dates/", views_collection.office_dates, name="office-dates"),
    path("<slug:slug>/<int:year>/reminders/", views_collection.reminders_issue, name="reminders-issue"),
    path(
        "<slug:slug>/<int:year>/reminders/<int:pk>.pdf",
        views_collection.reminder_batch_pdf,
        name="reminders-pdf",
    ),
]
