"""Routes of the reconcile module."""

from fastapi import APIRouter

router = APIRouter()
