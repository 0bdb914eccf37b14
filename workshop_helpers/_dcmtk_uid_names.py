"""dcmtk 3.6.7's names for UIDs where they differ from pydicom's keywords.

Generated once (not by hand) by dumping every UID in ``pydicom.uid.UID_dictionary`` through
dcmtk's ``dump2dcm`` and ``dcmdump +L`` and keeping the ``=Name`` dcmdump printed. Checked again
by ``tests/test_dump.py::test_uid_names_match_dcmdump`` wherever dcmtk is installed.
"""

# UID -> the name dcmdump prints after "=" (where it is not pydicom's keyword)
DCMTK_NAMES: dict[str, str] = {
    '1.2.840.10008.1.1': "VerificationSOPClass",
    '1.2.840.10008.1.2': "LittleEndianImplicit",
    '1.2.840.10008.1.2.1': "LittleEndianExplicit",
    '1.2.840.10008.1.2.1.99': "DeflatedLittleEndianExplicit",
    '1.2.840.10008.1.2.2': "BigEndianExplicit",
    '1.2.840.10008.1.2.4.100': "MPEG2MainProfile@MainLevel",
    '1.2.840.10008.1.2.4.101': "MPEG2MainProfile@HighLevel",
    '1.2.840.10008.1.2.4.102': "MPEG4HighProfile/Level4.1",
    '1.2.840.10008.1.2.4.103': "MPEG4BDcompatibleHighProfile/Level4.1",
    '1.2.840.10008.1.2.4.104': "MPEG4HighProfile/Level4.2For2DVideo",
    '1.2.840.10008.1.2.4.105': "MPEG4HighProfile/Level4.2For3DVideo",
    '1.2.840.10008.1.2.4.106': "MPEG4StereoHighProfile/Level4.2",
    '1.2.840.10008.1.2.4.107': "HEVCMainProfile/Level5.1",
    '1.2.840.10008.1.2.4.108': "HEVCMain10Profile/Level5.1",
    '1.2.840.10008.1.2.4.50': "JPEGBaseline",
    '1.2.840.10008.1.2.4.51': "JPEGExtended:Process2+4",
    '1.2.840.10008.1.2.4.52': "JPEGExtended:Process3+5",
    '1.2.840.10008.1.2.4.53': "JPEGSpectralSelection:Non-hierarchical:Process6+8",
    '1.2.840.10008.1.2.4.54': "JPEGSpectralSelection:Non-hierarchical:Process7+9",
    '1.2.840.10008.1.2.4.55': "JPEGFullProgression:Non-hierarchical:Process10+12",
    '1.2.840.10008.1.2.4.56': "JPEGFullProgression:Non-hierarchical:Process11+13",
    '1.2.840.10008.1.2.4.57': "JPEGLossless:Non-hierarchical:Process14",
    '1.2.840.10008.1.2.4.58': "JPEGLossless:Non-hierarchical:Process15",
    '1.2.840.10008.1.2.4.59': "JPEGExtended:Hierarchical:Process16+18",
    '1.2.840.10008.1.2.4.60': "JPEGExtended:Hierarchical:Process17+19",
    '1.2.840.10008.1.2.4.61': "JPEGSpectralSelection:Hierarchical:Process20+22",
    '1.2.840.10008.1.2.4.62': "JPEGSpectralSelection:Hierarchical:Process21+23",
    '1.2.840.10008.1.2.4.63': "JPEGFullProgression:Hierarchical:Process24+26",
    '1.2.840.10008.1.2.4.64': "JPEGFullProgression:Hierarchical:Process25+27",
    '1.2.840.10008.1.2.4.65': "JPEGLossless:Hierarchical:Process28",
    '1.2.840.10008.1.2.4.66': "JPEGLossless:Hierarchical:Process29",
    '1.2.840.10008.1.2.4.70': "JPEGLossless:Non-hierarchical-1stOrderPrediction",
    '1.2.840.10008.1.2.4.81': "JPEGLSLossy",
    '1.2.840.10008.1.2.4.90': "JPEG2000LosslessOnly",
    '1.2.840.10008.1.2.4.92': "JPEG2000MulticomponentLosslessOnly",
    '1.2.840.10008.1.2.4.93': "JPEG2000Multicomponent",
    '1.2.840.10008.1.2.7.1': "SMPTEST2110-20:UncompressedProgressiveActiveVideo",
    '1.2.840.10008.1.2.7.2': "SMPTEST2110-20:UncompressedInterlacedActiveVideo",
    '1.2.840.10008.1.2.7.3': "SMPTEST2110-30:PCMDigitalAudio",
    '1.2.840.10008.1.20.1': "StorageCommitmentPushModelSOPClass",
    '1.2.840.10008.1.20.1.1': "StorageCommitmentPushModelSOPInstance",
    '1.2.840.10008.1.20.2': "RETIRED_StorageCommitmentPullModelSOPClass",
    '1.2.840.10008.1.20.2.1': "RETIRED_StorageCommitmentPullModelSOPInstance",
    '1.2.840.10008.1.4.1.1': "TalairachBrainAtlasFrameOfReference",
    '1.2.840.10008.1.4.1.10': "SPM2GRAYFrameOfReference",
    '1.2.840.10008.1.4.1.11': "SPM2WHITEFrameOfReference",
    '1.2.840.10008.1.4.1.12': "SPM2CSFFrameOfReference",
    '1.2.840.10008.1.4.1.13': "SPM2BRAINMASKFrameOfReference",
    '1.2.840.10008.1.4.1.14': "SPM2AVG305T1FrameOfReference",
    '1.2.840.10008.1.4.1.15': "SPM2AVG152T1FrameOfReference",
    '1.2.840.10008.1.4.1.16': "SPM2AVG152T2FrameOfReference",
    '1.2.840.10008.1.4.1.17': "SPM2AVG152PDFrameOfReference",
    '1.2.840.10008.1.4.1.18': "SPM2SINGLESUBJT1FrameOfReference",
    '1.2.840.10008.1.4.1.2': "SPM2T1FrameOfReference",
    '1.2.840.10008.1.4.1.3': "SPM2T2FrameOfReference",
    '1.2.840.10008.1.4.1.4': "SPM2PDFrameOfReference",
    '1.2.840.10008.1.4.1.5': "SPM2EPIFrameOfReference",
    '1.2.840.10008.1.4.1.6': "SPM2FILT1FrameOfReference",
    '1.2.840.10008.1.4.1.7': "SPM2PETFrameOfReference",
    '1.2.840.10008.1.4.1.8': "SPM2TRANSMFrameOfReference",
    '1.2.840.10008.1.4.1.9': "SPM2SPECTFrameOfReference",
    '1.2.840.10008.1.4.2.1': "ICBM452T1FrameOfReference",
    '1.2.840.10008.1.4.2.2': "ICBMSingleSubjectMRIFrameOfReference",
    '1.2.840.10008.1.4.3.1': "IEC61217FixedCoordinateSystemFrameOfReference",
    '1.2.840.10008.1.4.3.2': "StandardRoboticCoordinateSystemFrameOfReference",
    '1.2.840.10008.1.4.3.3': "IEC61217TableTopCoordinateSystemFrameOfReference",
    '1.2.840.10008.1.4.4.1': "SRI24FrameOfReferenc",
    '1.2.840.10008.1.4.5.1': "Colin27FrameOfReference",
    '1.2.840.10008.1.4.6.1': "LPBA40AIRFrameOfReference",
    '1.2.840.10008.1.4.6.2': "LPBA40FLIRTFrameOfReference",
    '1.2.840.10008.1.4.6.3': "LPBA40SPM5FrameOfReference",
    '1.2.840.10008.1.40': "ProceduralEventLoggingSOPClass",
    '1.2.840.10008.1.40.1': "ProceduralEventLoggingSOPInstance",
    '1.2.840.10008.1.42': "SubstanceAdministrationLoggingSOPClass",
    '1.2.840.10008.1.42.1': "SubstanceAdministrationLoggingSOPInstance",
    '1.2.840.10008.1.5.1': "HotIronColorPaletteSOPInstance",
    '1.2.840.10008.1.5.2': "PETColorPaletteSOPInstance",
    '1.2.840.10008.1.5.3': "HotMetalBlueColorPaletteSOPInstance",
    '1.2.840.10008.1.5.4': "PET20StepColorPaletteSOPInstance",
    '1.2.840.10008.1.5.5': "SpringColorPaletteSOPInstance",
    '1.2.840.10008.1.5.6': "SummerColorPaletteSOPInstance",
    '1.2.840.10008.1.5.7': "FallColorPaletteSOPInstance",
    '1.2.840.10008.1.5.8': "WinterColorPaletteSOPInstance",
    '1.2.840.10008.1.9': "RETIRED_BasicStudyContentNotificationSOPClass",
    '1.2.840.10008.15.0.3.1': "LDAP_dicomDeviceName",
    '1.2.840.10008.15.0.3.10': "LDAP_dicomAssociationInitiator",
    '1.2.840.10008.15.0.3.11': "LDAP_dicomAssociationAcceptor",
    '1.2.840.10008.15.0.3.12': "LDAP_dicomHostname",
    '1.2.840.10008.15.0.3.13': "LDAP_dicomPort",
    '1.2.840.10008.15.0.3.14': "LDAP_dicomSOPClass",
    '1.2.840.10008.15.0.3.15': "LDAP_dicomTransferRole",
    '1.2.840.10008.15.0.3.16': "LDAP_dicomTransferSyntax",
    '1.2.840.10008.15.0.3.17': "LDAP_dicomPrimaryDeviceType",
    '1.2.840.10008.15.0.3.18': "LDAP_dicomRelatedDeviceReference",
    '1.2.840.10008.15.0.3.19': "LDAP_dicomPreferredCalledAETitle",
    '1.2.840.10008.15.0.3.2': "LDAP_dicomDescription",
    '1.2.840.10008.15.0.3.20': "LDAP_dicomTLSCyphersuite",
    '1.2.840.10008.15.0.3.21': "LDAP_dicomAuthorizedNodeCertificateReference",
    '1.2.840.10008.15.0.3.22': "LDAP_dicomThisNodeCertificateReference",
    '1.2.840.10008.15.0.3.23': "LDAP_dicomInstalled",
    '1.2.840.10008.15.0.3.24': "LDAP_dicomStationName",
    '1.2.840.10008.15.0.3.25': "LDAP_dicomDeviceSerialNumber",
    '1.2.840.10008.15.0.3.26': "LDAP_dicomInstitutionName",
    '1.2.840.10008.15.0.3.27': "LDAP_dicomInstitutionAddress",
    '1.2.840.10008.15.0.3.28': "LDAP_dicomInstitutionDepartmentName",
    '1.2.840.10008.15.0.3.29': "LDAP_dicomIssuerOfPatientID",
    '1.2.840.10008.15.0.3.3': "LDAP_dicomManufacturer",
    '1.2.840.10008.15.0.3.30': "LDAP_dicomPreferredCallingAETitle",
    '1.2.840.10008.15.0.3.31': "LDAP_dicomSupportedCharacterSet",
    '1.2.840.10008.15.0.3.4': "LDAP_dicomManufacturerModelName",
    '1.2.840.10008.15.0.3.5': "LDAP_dicomSoftwareVersion",
    '1.2.840.10008.15.0.3.6': "LDAP_dicomVendorData",
    '1.2.840.10008.15.0.3.7': "LDAP_dicomAETitle",
    '1.2.840.10008.15.0.3.8': "LDAP_dicomNetworkConnectionReference",
    '1.2.840.10008.15.0.3.9': "LDAP_dicomApplicationCluster",
    '1.2.840.10008.15.0.4.1': "LDAP_dicomConfigurationRoot",
    '1.2.840.10008.15.0.4.2': "LDAP_dicomDevicesRoot",
    '1.2.840.10008.15.0.4.3': "LDAP_dicomUniqueAETitlesRegistryRoot",
    '1.2.840.10008.15.0.4.4': "LDAP_dicomDevice",
    '1.2.840.10008.15.0.4.5': "LDAP_dicomNetworkAE",
    '1.2.840.10008.15.0.4.6': "LDAP_dicomNetworkConnection",
    '1.2.840.10008.15.0.4.7': "LDAP_dicomUniqueAETitle",
    '1.2.840.10008.15.0.4.8': "LDAP_dicomTransferCapability",
    '1.2.840.10008.15.1.1': "UniversalCoordinatedTimeSynchronizationFrameOfReference",
    '1.2.840.10008.2.16.4': "DICOMControlledTerminologyCodingScheme",
    '1.2.840.10008.2.6.1': "DICOMUIDRegistryCodingScheme",
    '1.2.840.10008.3.1.1.1': "StandardApplicationContext",
    '1.2.840.10008.3.1.2.1.1': "RETIRED_DetachedPatientManagementSOPClass",
    '1.2.840.10008.3.1.2.1.4': "RETIRED_DetachedPatientManagementMetaSOPClass",
    '1.2.840.10008.3.1.2.2.1': "RETIRED_DetachedVisitManagementSOPClass",
    '1.2.840.10008.3.1.2.3.1': "RETIRED_DetachedStudyManagementSOPClass",
    '1.2.840.10008.3.1.2.3.2': "RETIRED_StudyComponentManagementSOPClass",
    '1.2.840.10008.3.1.2.3.3': "ModalityPerformedProcedureStepSOPClass",
    '1.2.840.10008.3.1.2.3.4': "ModalityPerformedProcedureStepRetrieveSOPClass",
    '1.2.840.10008.3.1.2.3.5': "ModalityPerformedProcedureStepNotificationSOPClass",
    '1.2.840.10008.3.1.2.5.1': "RETIRED_DetachedResultsManagementSOPClass",
    '1.2.840.10008.3.1.2.5.4': "RETIRED_DetachedResultsManagementMetaSOPClass",
    '1.2.840.10008.3.1.2.5.5': "RETIRED_DetachedStudyManagementMetaSOPClass",
    '1.2.840.10008.3.1.2.6.1': "RETIRED_DetachedInterpretationManagementSOPClass",
    '1.2.840.10008.4.2': "StorageServiceClass",
    '1.2.840.10008.5.1.1.1': "BasicFilmSessionSOPClass",
    '1.2.840.10008.5.1.1.14': "PrintJobSOPClass",
    '1.2.840.10008.5.1.1.15': "BasicAnnotationBoxSOPClass",
    '1.2.840.10008.5.1.1.16': "PrinterSOPClass",
    '1.2.840.10008.5.1.1.16.376': "PrinterConfigurationRetrievalSOPClass",
    '1.2.840.10008.5.1.1.17': "PrinterSOPInstance",
    '1.2.840.10008.5.1.1.17.376': "PrinterConfigurationRetrievalSOPInstance",
    '1.2.840.10008.5.1.1.18': "BasicColorPrintManagementMetaSOPClass",
    '1.2.840.10008.5.1.1.18.1': "RETIRED_ReferencedColorPrintManagementMetaSOPClass",
    '1.2.840.10008.5.1.1.2': "BasicFilmBoxSOPClass",
    '1.2.840.10008.5.1.1.22': "VOILUTBoxSOPClass",
    '1.2.840.10008.5.1.1.23': "PresentationLUTSOPClass",
    '1.2.840.10008.5.1.1.24': "RETIRED_ImageOverlayBoxSOPClass",
    '1.2.840.10008.5.1.1.24.1': "RETIRED_BasicPrintImageOverlayBoxSOPClass",
    '1.2.840.10008.5.1.1.25': "RETIRED_PrintQueueSOPInstance",
    '1.2.840.10008.5.1.1.26': "RETIRED_PrintQueueManagementSOPClass",
    '1.2.840.10008.5.1.1.27': "RETIRED_StoredPrintStorage",
    '1.2.840.10008.5.1.1.29': "RETIRED_HardcopyGrayscaleImageStorage",
    '1.2.840.10008.5.1.1.30': "RETIRED_HardcopyColorImageStorage",
    '1.2.840.10008.5.1.1.31': "RETIRED_PullPrintRequestSOPClass",
    '1.2.840.10008.5.1.1.32': "RETIRED_PullStoredPrintManagementMetaSOPClass",
    '1.2.840.10008.5.1.1.33': "MediaCreationManagementSOPClass",
    '1.2.840.10008.5.1.1.4': "BasicGrayscaleImageBoxSOPClass",
    '1.2.840.10008.5.1.1.4.1': "BasicColorImageBoxSOPClass",
    '1.2.840.10008.5.1.1.4.2': "RETIRED_ReferencedImageBoxSOPClass",
    '1.2.840.10008.5.1.1.40': "DisplaySystemSOPClass",
    '1.2.840.10008.5.1.1.40.1': "DisplaySystemSOPInstance",
    '1.2.840.10008.5.1.1.9': "BasicGrayscalePrintManagementMetaSOPClass",
    '1.2.840.10008.5.1.1.9.1': "RETIRED_ReferencedGrayscalePrintManagementMetaSOPClass",
    '1.2.840.10008.5.1.4.1.1.10': "RETIRED_StandaloneModalityLUTStorage",
    '1.2.840.10008.5.1.4.1.1.11': "RETIRED_StandaloneVOILUTStorage",
    '1.2.840.10008.5.1.4.1.1.12.3': "RETIRED_XRayAngiographicBiPlaneImageStorage",
    '1.2.840.10008.5.1.4.1.1.129': "RETIRED_StandalonePETCurveStorage",
    '1.2.840.10008.5.1.4.1.1.200.4': "FINDProtocolApprovalInformationModel",
    '1.2.840.10008.5.1.4.1.1.200.5': "MOVEProtocolApprovalInformationModel",
    '1.2.840.10008.5.1.4.1.1.200.6': "GETProtocolApprovalInformationModel",
    '1.2.840.10008.5.1.4.1.1.3': "RETIRED_UltrasoundMultiframeImageStorage",
    '1.2.840.10008.5.1.4.1.1.3.1': "UltrasoundMultiframeImageStorage",
    '1.2.840.10008.5.1.4.1.1.5': "RETIRED_NuclearMedicineImageStorage",
    '1.2.840.10008.5.1.4.1.1.501.1': "DICOS_CTImageStorage",
    '1.2.840.10008.5.1.4.1.1.501.2.1': "DICOS_DigitalXRayImageStorageForPresentation",
    '1.2.840.10008.5.1.4.1.1.501.2.2': "DICOS_DigitalXRayImageStorageForProcessing",
    '1.2.840.10008.5.1.4.1.1.501.3': "DICOS_ThreatDetectionReportStorage",
    '1.2.840.10008.5.1.4.1.1.501.4': "DICOS_2DAITStorage",
    '1.2.840.10008.5.1.4.1.1.501.5': "DICOS_3DAITStorage",
    '1.2.840.10008.5.1.4.1.1.501.6': "DICOS_QuadrupoleResonanceStorage",
    '1.2.840.10008.5.1.4.1.1.6': "RETIRED_UltrasoundImageStorage",
    '1.2.840.10008.5.1.4.1.1.601.1': "DICONDE_EddyCurrentImageStorage",
    '1.2.840.10008.5.1.4.1.1.601.2': "DICONDE_EddyCurrentMultiframeImageStorage",
    '1.2.840.10008.5.1.4.1.1.7.1': "MultiframeSingleBitSecondaryCaptureImageStorage",
    '1.2.840.10008.5.1.4.1.1.7.2': "MultiframeGrayscaleByteSecondaryCaptureImageStorage",
    '1.2.840.10008.5.1.4.1.1.7.3': "MultiframeGrayscaleWordSecondaryCaptureImageStorage",
    '1.2.840.10008.5.1.4.1.1.7.4': "MultiframeTrueColorSecondaryCaptureImageStorage",
    '1.2.840.10008.5.1.4.1.1.77.1': "RETIRED_VLImageStorage",
    '1.2.840.10008.5.1.4.1.1.77.2': "RETIRED_VLMultiframeImageStorage",
    '1.2.840.10008.5.1.4.1.1.8': "RETIRED_StandaloneOverlayStorage",
    '1.2.840.10008.5.1.4.1.1.88.1': "DRAFT_SRTextStorage",
    '1.2.840.10008.5.1.4.1.1.88.2': "DRAFT_SRAudioStorage",
    '1.2.840.10008.5.1.4.1.1.88.3': "DRAFT_SRDetailStorage",
    '1.2.840.10008.5.1.4.1.1.88.4': "DRAFT_SRComprehensiveStorage",
    '1.2.840.10008.5.1.4.1.1.88.70': "ImplantationPlanSRDocumentStorage",
    '1.2.840.10008.5.1.4.1.1.9': "RETIRED_StandaloneCurveStorage",
    '1.2.840.10008.5.1.4.1.1.9.1': "DRAFT_WaveformStorage",
    '1.2.840.10008.5.1.4.1.2.1.1': "FINDPatientRootQueryRetrieveInformationModel",
    '1.2.840.10008.5.1.4.1.2.1.2': "MOVEPatientRootQueryRetrieveInformationModel",
    '1.2.840.10008.5.1.4.1.2.1.3': "GETPatientRootQueryRetrieveInformationModel",
    '1.2.840.10008.5.1.4.1.2.2.1': "FINDStudyRootQueryRetrieveInformationModel",
    '1.2.840.10008.5.1.4.1.2.2.2': "MOVEStudyRootQueryRetrieveInformationModel",
    '1.2.840.10008.5.1.4.1.2.2.3': "GETStudyRootQueryRetrieveInformationModel",
    '1.2.840.10008.5.1.4.1.2.3.1': "RETIRED_FINDPatientStudyOnlyQueryRetrieveInformationModel",
    '1.2.840.10008.5.1.4.1.2.3.2': "RETIRED_MOVEPatientStudyOnlyQueryRetrieveInformationModel",
    '1.2.840.10008.5.1.4.1.2.3.3': "RETIRED_GETPatientStudyOnlyQueryRetrieveInformationModel",
    '1.2.840.10008.5.1.4.1.2.4.2': "MOVECompositeInstanceRootRetrieve",
    '1.2.840.10008.5.1.4.1.2.4.3': "GETCompositeInstanceRootRetrieve",
    '1.2.840.10008.5.1.4.1.2.5.3': "GETCompositeInstanceRetrieveWithoutBulkData",
    '1.2.840.10008.5.1.4.20.1': "FINDDefinedProcedureProtocolInformationModel",
    '1.2.840.10008.5.1.4.20.2': "MOVEDefinedProcedureProtocolInformationModel",
    '1.2.840.10008.5.1.4.20.3': "GETDefinedProcedureProtocolInformationModel",
    '1.2.840.10008.5.1.4.31': "FINDModalityWorklistInformationModel",
    '1.2.840.10008.5.1.4.32': "RETIRED_GeneralPurposeWorklistManagementMetaSOPClass",
    '1.2.840.10008.5.1.4.32.1': "RETIRED_FINDGeneralPurposeWorklistInformationModel",
    '1.2.840.10008.5.1.4.32.2': "RETIRED_GeneralPurposeScheduledProcedureStepSOPClass",
    '1.2.840.10008.5.1.4.32.3': "RETIRED_GeneralPurposePerformedProcedureStepSOPClass",
    '1.2.840.10008.5.1.4.33': "InstanceAvailabilityNotificationSOPClass",
    '1.2.840.10008.5.1.4.34.1': "DRAFT_RTBeamsDeliveryInstructionStorage",
    '1.2.840.10008.5.1.4.34.2': "DRAFT_RTConventionalMachineVerification",
    '1.2.840.10008.5.1.4.34.3': "DRAFT_RTIonMachineVerification",
    '1.2.840.10008.5.1.4.34.4': "DRAFT_UnifiedWorklistAndProcedureStepServiceClass",
    '1.2.840.10008.5.1.4.34.4.1': "DRAFT_UnifiedProcedureStepPushSOPClass",
    '1.2.840.10008.5.1.4.34.4.2': "DRAFT_UnifiedProcedureStepWatchSOPClass",
    '1.2.840.10008.5.1.4.34.4.3': "DRAFT_UnifiedProcedureStepPullSOPClass",
    '1.2.840.10008.5.1.4.34.4.4': "DRAFT_UnifiedProcedureStepEventSOPClass",
    '1.2.840.10008.5.1.4.34.5': "UPSGlobalSubscriptionSOPInstance",
    '1.2.840.10008.5.1.4.34.5.1': "UPSFilteredGlobalSubscriptionSOPInstance",
    '1.2.840.10008.5.1.4.34.6': "UnifiedWorklistAndProcedureStepServiceClass",
    '1.2.840.10008.5.1.4.34.6.1': "UnifiedProcedureStepPushSOPClass",
    '1.2.840.10008.5.1.4.34.6.2': "UnifiedProcedureStepWatchSOPClass",
    '1.2.840.10008.5.1.4.34.6.3': "UnifiedProcedureStepPullSOPClass",
    '1.2.840.10008.5.1.4.34.6.4': "UnifiedProcedureStepEventSOPClass",
    '1.2.840.10008.5.1.4.34.6.5': "UnifiedProcedureStepQuerySOPClass",
    '1.2.840.10008.5.1.4.38.2': "FINDHangingProtocolInformationModel",
    '1.2.840.10008.5.1.4.38.3': "MOVEHangingProtocolInformationModel",
    '1.2.840.10008.5.1.4.39.2': "FINDColorPaletteInformationModel",
    '1.2.840.10008.5.1.4.39.3': "MOVEColorPaletteInformationModel",
    '1.2.840.10008.5.1.4.39.4': "GETColorPaletteInformationModel",
    '1.2.840.10008.5.1.4.41': "ProductCharacteristicsQuerySOPClass",
    '1.2.840.10008.5.1.4.42': "SubstanceApprovalQuerySOPClass",
    '1.2.840.10008.5.1.4.43.2': "FINDGenericImplantTemplateInformationModel",
    '1.2.840.10008.5.1.4.43.3': "MOVEGenericImplantTemplateInformationModel",
    '1.2.840.10008.5.1.4.43.4': "GETGenericImplantTemplateInformationModel",
    '1.2.840.10008.5.1.4.44.2': "FINDImplantAssemblyTemplateInformationModel",
    '1.2.840.10008.5.1.4.44.3': "MOVEImplantAssemblyTemplateInformationModel",
    '1.2.840.10008.5.1.4.44.4': "GETImplantAssemblyTemplateInformationModel",
    '1.2.840.10008.5.1.4.45.2': "FINDImplantTemplateGroupInformationModel",
    '1.2.840.10008.5.1.4.45.3': "MOVEImplantTemplateGroupInformationModel",
    '1.2.840.10008.5.1.4.45.4': "GETImplantTemplateGroupInformationModel",
}

# UIDs pydicom names but dcmtk 3.6.7 does not: dcmdump prints them as [numbers]
DCMTK_UNNAMED: frozenset[str] = frozenset({
    '1.2.840.10008.1.2.1.98',  # EncapsulatedUncompressedExplicitVRLittleEndian
    '1.2.840.10008.1.2.4.100.1',  # MPEG2MPMLF
    '1.2.840.10008.1.2.4.101.1',  # MPEG2MPHLF
    '1.2.840.10008.1.2.4.102.1',  # MPEG4HP41F
    '1.2.840.10008.1.2.4.103.1',  # MPEG4HP41BDF
    '1.2.840.10008.1.2.4.104.1',  # MPEG4HP422DF
    '1.2.840.10008.1.2.4.105.1',  # MPEG4HP423DF
    '1.2.840.10008.1.2.4.106.1',  # MPEG4HP42STEREOF
    '1.2.840.10008.1.2.4.201',  # HTJ2KLossless
    '1.2.840.10008.1.2.4.202',  # HTJ2KLosslessRPCL
    '1.2.840.10008.1.2.4.203',  # HTJ2K
    '1.2.840.10008.1.2.4.204',  # JPIPHTJ2KReferenced
    '1.2.840.10008.1.2.4.205',  # JPIPHTJ2KReferencedDeflate
    '1.2.840.10008.1.20',  # Papyrus3ImplicitVRLittleEndian
    '1.2.840.10008.2.16.10',  # DC
    '1.2.840.10008.2.16.11',  # NYUMCCG
    '1.2.840.10008.2.16.12',  # MAYONRISBSASRG
    '1.2.840.10008.2.16.13',  # IBSI
    '1.2.840.10008.2.16.14',  # RO
    '1.2.840.10008.2.16.15',  # RADELEMENT
    '1.2.840.10008.2.16.16',  # I11
    '1.2.840.10008.2.16.17',  # UNS
    '1.2.840.10008.2.16.18',  # RRID
    '1.2.840.10008.2.16.5',  # MA
    '1.2.840.10008.2.16.6',  # UBERON
    '1.2.840.10008.2.16.7',  # ITIS_TSN
    '1.2.840.10008.2.16.8',  # MGI
    '1.2.840.10008.2.16.9',  # PUBCHEM_CID
    '1.2.840.10008.5.1.4.1.1.11.12',  # VariableModalityLUTSoftcopyPresentationStateStorage
    '1.2.840.10008.5.1.4.1.1.12.77',  #
    '1.2.840.10008.5.1.4.1.1.201.1',  # InventoryStorage
    '1.2.840.10008.5.1.4.1.1.201.1.1',  # StorageManagementInstance
    '1.2.840.10008.5.1.4.1.1.201.2',  # InventoryFind
    '1.2.840.10008.5.1.4.1.1.201.3',  # InventoryMove
    '1.2.840.10008.5.1.4.1.1.201.4',  # InventoryGet
    '1.2.840.10008.5.1.4.1.1.201.5',  # InventoryCreation
    '1.2.840.10008.5.1.4.1.1.201.6',  # RepositoryQuery
    '1.2.840.10008.5.1.4.1.1.40',  #
    '1.2.840.10008.5.1.4.1.1.481.23',  # EnhancedRTImageStorage
    '1.2.840.10008.5.1.4.1.1.481.24',  # EnhancedContinuousRTImageStorage
    '1.2.840.10008.5.1.4.1.1.481.25',  # RTPatientPositionAcquisitionInstructionStorage
    '1.2.840.10008.5.1.4.1.1.6.3',  # PhotoacousticImageStorage
    '1.2.840.10008.5.1.4.1.1.77.1.8',  # ConfocalMicroscopyImageStorage
    '1.2.840.10008.5.1.4.1.1.77.1.9',  # ConfocalMicroscopyTiledPyramidalImageStorage
    '1.2.840.10008.5.1.4.1.1.88.77',  # WaveformAnnotationSRStorage
    '1.2.840.10008.5.1.4.1.1.9.1.4',  # General32bitECGWaveformStorage
    '1.2.840.10008.5.1.4.38.4',  # HangingProtocolInformationModelGet
    # added to pydicom's UID_dictionary by pynetdicom when it is imported (its __init__), so the
    # table must not depend on whether pynetdicom came first; dcmtk 3.6.7 prints them as [uid]
    '1.2.840.10008.1.2.4.110',  # JPEGXLLossless
    '1.2.840.10008.1.2.4.111',  # JPEGXLJPEGRecompression
    '1.2.840.10008.1.2.4.112',  # JPEGXL
    '1.2.840.10008.1.2.8.1',  # DeflatedImageFrameCompression
})
