package com.example.clinic.owner;

import java.util.List;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.query.Param;

public interface OwnerRepository extends JpaRepository<Owner, Integer> {

	@Query("SELECT owner FROM Owner owner WHERE owner.lastName LIKE :lastName%")
	List<Owner> findByLastName(@Param("lastName") String lastName);

	List<Owner> findByCity(String city);

}
