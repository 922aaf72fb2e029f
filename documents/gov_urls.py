"""Document inquiry in the government panel; portal/urls.py mounts these in the "gov" namespace.

The access code travels only in the POST body of `documents/`: no URL here ever holds one.
"""

from django.urls import path

from documents import gov_views

urlpatterns = [
    path("documents/", gov_views.document_inquiry, name="documents"),
    path("documents/<int:pk>/", gov_views.redeemed_document, name="redeemed_document"),
    path("documents/<int:pk>/pdf/", gov_views.redeemed_document_pdf, name="redeemed_document_pdf"),
]
