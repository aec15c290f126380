from django.urls import path

from . import views_larval, views_outbreak

app_name = "health"

urlpatterns = [
    path("yunglai/", views_larval.overview, name="yunglai"),
    path("yunglai/v/<int:village_id>/", views_larval.village_page, name="yunglai_village"),
    path("yunglai/v/<int:village_id>/h/<int:household_id>/", views_larval.survey_form, name="yunglai_survey"),
    path("cases/", views_outbreak.case_list, name="cases"),
    path("cases/new/", views_outbreak.case_new, name="case_new"),
    path("cases/<int:pk>/", views_outbreak.case_detail, name="case"),
]
